"""The statistics report on the command line, live or as published.

    yinli report --period 2025H1 [--district NAME|CODE] [--definition N] [--published]
                 [--format json|text|docx|xlsx] [--output PATH] [--user NAME]
    yinli report publish --period 2025H1 [--district NAME] [--definition N] [--title …] [--note …]

JSON alone on stdout (numbers as JSON numbers); Word and Excel need --output. `--published`
prints the frozen report as it was published (without --district: the city's). `publish`
freezes the period's report and prints the new record (its id, what it supersedes, how many
projects each headline figure counted). Exit 2 for a usage error (a bad period, an unknown
district, user or definition version, a district asking for another, a format without
--output), 1 when the data stops it (nothing published for the period, not allowed to publish).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinli.core.models import Role, User
from yinli.core.services import PermissionDeniedError
from yinli.stats.definitions import get_definition
from yinli.stats.docx import report_docx
from yinli.stats.periods import PeriodError, parse_period
from yinli.stats.publish import (
    NotPublished,
    publish_report,
    published_json,
    report_for,
)
from yinli.stats.report import report_json, report_text, resolve_district
from yinli.stats.xlsx import report_xlsx

BINARY_FORMATS = ("docx", "xlsx")


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def acting_user(username: str | None) -> User:
    """`--user NAME`, else the first active city administrator (a superuser if there is none)."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise _usage(_('No active user named "%(name)s".') % {"name": username})
        return user
    user = (
        User.objects.filter(is_active=True, role=Role.CITY_ADMIN).order_by("pk").first()
        or User.objects.filter(is_active=True).filter(Q(is_superuser=True)).order_by("pk").first()
    )
    if user is None:
        raise CommandError(
            _("There is no city administrator to act as; name one with --user."), returncode=1
        )
    return user


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # argparse needs text, not a lazy translation, for the description.
        return _(
            "The statistics report of a period (every figure, its year-on-year change, the "
            "bulletin) for the city or a district, under a definition version; `publish` freezes it."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            nargs="?",
            choices=["publish"],
            help=gettext_lazy("publish: freeze the period's report as the official one"),
        )
        parser.add_argument(
            "--period",
            required=True,
            help=gettext_lazy(
                "2025, 2025H1, 2025Q3, 2025-07, 2025-01..2025-08 or 2025-01-01..2025-06-30"
            ),
        )
        parser.add_argument("--district", help=gettext_lazy("a district's code or exact name"))
        parser.add_argument(
            "--definition", help=gettext_lazy("the definition version (default: the current one)")
        )
        parser.add_argument(
            "--published",
            action="store_true",
            help=gettext_lazy("the report as last published, not as the records stand today"),
        )
        parser.add_argument("--title", default="", help=gettext_lazy("title of the publication"))
        parser.add_argument("--note", default="", help=gettext_lazy("note on the publication"))
        parser.add_argument(
            "--user", help=gettext_lazy("act as this user (default: the first city admin)")
        )
        parser.add_argument("--format", choices=["json", "text", "docx", "xlsx"], default="json")
        parser.add_argument("--output", help=gettext_lazy("write to this file instead of stdout"))

    def handle(self, *args, **options):
        try:
            period = parse_period(options["period"])
        except PeriodError as error:
            raise _usage(str(error)) from error
        if options["format"] in BINARY_FORMATS and not options["output"]:
            raise _usage(
                _("--format %(format)s writes a file: give --output PATH.")
                % {"format": options["format"]}
            )
        user = acting_user(options["user"])
        try:
            district = resolve_district(options["district"])
            definition = get_definition(options["definition"]) if options["definition"] else None
        except ValidationError as error:
            raise _usage(_messages(error)) from error
        if options["action"] == "publish":
            if options["published"]:
                raise _usage(_("publish and --published do not go together."))
            report = self.publish(user, period, district, definition, options)
        else:
            report = self.report(user, period, district, definition, options["published"])
        for warning in report.get("warnings", []):
            self.stderr.write(warning)
        self.emit(report, options)

    def publish(self, user, period, district, definition, options) -> dict:
        try:
            published = publish_report(
                user=user,
                period=period,
                district=district,
                definition=definition,
                title=options["title"],
                note=options["note"],
            )
        except PermissionDeniedError as error:
            raise CommandError(_messages(error), returncode=1) from error
        except PermissionDenied as error:
            raise _usage(str(error)) from error
        except ValidationError as error:
            raise CommandError(_messages(error), returncode=1) from error
        meta = published_json(published)["published"]
        self.stderr.write(
            _("Published report no. %(id)s: %(title)s")
            % {"id": published.pk, "title": published.title}
        )
        if meta["supersedes"]:
            self.stderr.write(
                _("It supersedes published report no. %(id)s.") % {"id": meta["supersedes"]}
            )
        return published_json(published)

    def report(self, user, period, district, definition, published: bool) -> dict:
        try:
            return report_for(
                user=user,
                period=period,
                district=district,
                definition=definition,
                published=published,
            )
        except NotPublished as error:
            raise CommandError(str(error), returncode=1) from error
        except PermissionDenied as error:
            raise _usage(str(error)) from error
        except ValidationError as error:
            raise CommandError(_messages(error), returncode=1) from error

    def emit(self, report: dict, options) -> None:
        fmt, output = options["format"], options["output"]
        if fmt in BINARY_FORMATS:
            data = report_docx(report) if fmt == "docx" else report_xlsx(report)
            Path(output).write_bytes(data)
            self.stderr.write(_("Wrote %(path)s") % {"path": output})
            return
        text = report_json(report) if fmt == "json" else report_text(report)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(_("Wrote %(path)s") % {"path": output})
        else:
            self.stdout.write(text)

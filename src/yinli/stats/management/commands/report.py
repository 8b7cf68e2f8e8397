"""`yinli report --period 2025H1 [--district NAME|CODE] [--definition N] --format json|text`.

JSON alone on stdout (numbers as JSON numbers); exit 2 for a usage error (a bad period, an unknown
district, user or definition version), 1 when the data stops the report.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinli.core.models import Role, User
from yinli.stats.definitions import get_definition
from yinli.stats.periods import PeriodError, parse_period
from yinli.stats.report import build_report, report_json, report_text, resolve_district


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


class Command(BaseCommand):
    help = gettext_lazy(
        "The statistics report of a period (every figure, its year-on-year change, the "
        "bulletin) for the city or a district, under a definition version."
    )

    def add_arguments(self, parser):
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
            "--user", help=gettext_lazy("act as this user (default: the first city admin)")
        )
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument("--output", help=gettext_lazy("write to this file instead of stdout"))

    def handle(self, *args, **options):
        try:
            period = parse_period(options["period"])
        except PeriodError as error:
            raise _usage(str(error)) from error
        user = acting_user(options["user"])
        try:
            district = resolve_district(options["district"])
            definition = get_definition(options["definition"])
        except ValidationError as error:
            raise _usage(" ".join(error.messages)) from error
        try:
            report = build_report(
                user=user, period=period, district=district, definition=definition
            )
        except PermissionDenied as error:
            raise _usage(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=1) from error
        for warning in report["warnings"]:
            self.stderr.write(warning)
        text = report_json(report) if options["format"] == "json" else report_text(report)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(_("Wrote %(path)s") % {"path": options["output"]})
        else:
            self.stdout.write(text)

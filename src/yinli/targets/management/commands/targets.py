"""Targets, progress and the ranking on the command line.

    yinli targets progress --year 2025 --as-of 2025-06-30 [--district NAME] [--format json|text]
    yinli targets ranking --period 2025H1 [--scheme NAME|ID] [--format json|text]
    yinli targets summary --month 2025-06 --format docx|xlsx --output PATH
    yinli targets export --year 2025 --output PATH
    yinli targets import PATH [--dry-run]

Every subcommand acts as `--user NAME` (default: the first city admin), scoped like the pages.
JSON alone on stdout, progress on stderr; exit 2 for a usage error (a bad date or period, an
unknown district, scheme or user), 1 when the data stops it (a refused import, not allowed).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yinli.core.parsing import parse_date
from yinli.stats.management.commands.report import acting_user
from yinli.stats.periods import PeriodError, parse_period
from yinli.targets.excel import export_targets, import_targets
from yinli.targets.report import progress_report, ranking_report
from yinli.targets.selectors import resolve_unit, targets_of
from yinli.targets.summary import monthly_summary, summary_docx, summary_xlsx


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _day(text: str, option: str) -> date:
    try:
        return parse_date(text, allow_month=False).date
    except ValidationError as error:
        raise _usage(f"{option}: {' '.join(error.messages)}") from error


def _n(value) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


class Command(BaseCommand):
    help = _("Annual targets, progress against the schedule and the ranking of districts.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        progress = sub.add_parser("progress", help=_("each target's schedule and progress"))
        progress.add_argument("--year", type=int, required=True)
        progress.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-DD")
        progress.add_argument("--district", help=_("a district's (or unit's) code or exact name"))
        progress.add_argument("--format", choices=["json", "text"], default="json")
        ranking = sub.add_parser("ranking", help=_("the ranking of districts for a period"))
        ranking.add_argument("--period", required=True, help="2025H1, 2025-06, 2025-01..2025-06")
        ranking.add_argument(
            "--scheme", help=_("a scoring scheme's name or id (default: the default)")
        )
        ranking.add_argument("--format", choices=["json", "text"], default="json")
        summary = sub.add_parser("summary", help=_("the one-page monthly summary for leaders"))
        summary.add_argument("--month", required=True, help="2025-06")
        summary.add_argument("--format", choices=["docx", "xlsx", "json"], default="docx")
        summary.add_argument("--output", help=_("file to write (required for docx and xlsx)"))
        export = sub.add_parser("export", help=_("a year's targets as an Excel workbook"))
        export.add_argument("--year", type=int, required=True)
        export.add_argument("--output", required=True)
        load = sub.add_parser("import", help=_("targets from an Excel workbook (all or nothing)"))
        load.add_argument("path")
        load.add_argument("--dry-run", action="store_true")
        for each in (progress, ranking, summary, export, load):
            each.add_argument("--user", help=_("act as this user (default: the first city admin)"))

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        action = options["action"]
        try:
            if action == "progress":
                return self.progress(user, options)
            if action == "ranking":
                return self.ranking(user, options)
            if action == "summary":
                return self.summary(user, options)
            if action == "export":
                return self.export(user, options)
            return self.load(user, options)
        except PermissionDenied as error:
            raise CommandError(str(error), returncode=1) from error

    def progress(self, user, options):
        on = _day(options["as_of"], "--as-of")
        district = None
        if options["district"]:
            try:
                district = resolve_unit(options["district"])
            except ValidationError as error:
                raise _usage(" ".join(error.messages)) from error

        def step(done: int, total: int) -> None:
            self.stderr.write(f"\r{done}/{total}", ending="\n" if done == total else "")

        report = progress_report(
            user=user, year=options["year"], on=on, district=district, progress=step
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        lines = [
            _("Targets %(year)s as of %(on)s") % {"year": report["year"], "on": report["as_of"]}
        ]
        for row in report["targets"]:
            lines.append(
                f"{row['unit']['name']}\t{row['figure_label']}\t"
                + _("target %(annual)s, actual %(actual)s")
                % {"annual": _n(row["annual"]), "actual": _n(row["actual"])}
                + f"\t{row['wording']}"
            )
        self.stdout.write("\n".join(lines))

    def ranking(self, user, options):
        try:
            period = parse_period(options["period"])
            report = ranking_report(user=user, period=period, scheme=options["scheme"])
        except PeriodError as error:
            raise _usage(str(error)) from error
        except ValidationError as error:
            raise _usage(" ".join(error.messages)) from error
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        lines = [f"{report['scheme']['name']} · {report['period']['label']}"]
        for row in report["rows"]:
            lines.append(f"{row['rank']}\t{row['district']['name']}\t{_n(row['score'])}")
            lines += [f"\t{line['text']}" for line in row["lines"]]
        self.stdout.write("\n".join(lines))

    def summary(self, user, options):
        try:
            month = parse_period(options["month"])
        except PeriodError as error:
            raise _usage(str(error)) from error
        if month.kind != "month":
            raise _usage(_("--month takes a month such as 2025-06."))
        fmt = options["format"]
        if fmt != "json" and not options["output"]:
            raise _usage(_("--format %(format)s needs --output PATH.") % {"format": fmt})
        data = monthly_summary(user=user, month=month)
        if fmt == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        content = summary_docx(data) if fmt == "docx" else summary_xlsx(data)
        Path(options["output"]).write_bytes(content)
        self.stderr.write(_("Written %(path)s") % {"path": options["output"]})

    def export(self, user, options):
        targets = targets_of(user=user, year=options["year"])
        Path(options["output"]).write_bytes(export_targets(targets))
        self.stderr.write(
            _("%(count)s target(s) written to %(path)s")
            % {"count": targets.count(), "path": options["output"]}
        )

    def load(self, user, options):
        path = Path(options["path"])
        if not path.is_file():
            raise _usage(_("No file %(path)s.") % {"path": path})
        try:
            result = import_targets(data=path.read_bytes(), by=user, dry_run=options["dry_run"])
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(
                _("Nothing was imported (%(count)s problem(s)).") % {"count": len(error.messages)},
                returncode=1,
            ) from error
        self.stdout.write(json.dumps({**result.as_dict(), "dry_run": options["dry_run"]}))

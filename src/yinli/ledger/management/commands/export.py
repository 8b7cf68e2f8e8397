"""`yinli export projects`: the project ledger to .xlsx or .csv through an export template.

    yinli export projects --format xlsx --output 台账.xlsx
    yinli export projects --format csv --template province --unit wan --district 京口区 \\
        --stage signed --signed-from 2025-01-01 --signed-to 2025-06-30 --output 上半年.csv
    yinli export projects --format xlsx --user jingkou --output 京口.xlsx

The same scoping as the pages applies to ``--user`` (default: the first city admin); the filters
are the project list's. Progress on stderr; a one-line summary on stdout. Exit status: 0 done,
1 when the file could not be written, 2 for a usage error (unknown template, district, user, or a
filter that cannot be read).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils.translation import gettext as _

from yinli.ledger.export import LedgerExport, log_export, template_named

from ._common import Progress, acting_user, district_named

FILTERS = {
    # option → the project filter's query key (repeatable options give several values)
    "q": "q",
    "stage": "stage",
    "status": "status",
    "category": "category",
    "kind": "kind",
    "signed_from": "signed_from",
    "signed_to": "signed_to",
    "size": "size",
    "source": "source",
    "source_group": "source_group",
    "industry": "industry",
    "channel": "channel",
}


class Command(BaseCommand):
    help = "Export the project ledger (台账) to .xlsx or .csv through an export template."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["projects"])
        parser.add_argument("--format", choices=["xlsx", "csv"], required=True)
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument("--template", help="name of the export template (default: standard)")
        parser.add_argument("--unit", choices=["wan", "yi"], help="amounts in 万元 or 亿元")
        parser.add_argument("--user", help="act as this user (default: the first city admin)")
        parser.add_argument(
            "--district", action="append", help="code or exact name; may be repeated"
        )
        parser.add_argument("--stage", action="append", help="lead, negotiating, signed …")
        parser.add_argument("--status", action="append", help="active, paused, lost, terminated")
        parser.add_argument("--industry", action="append", help="industry direction id")
        parser.add_argument("--category", help="industrial, service, other")
        parser.add_argument("--kind", help="new, expansion")
        parser.add_argument("--signed-from", help="YYYY-MM-DD")
        parser.add_argument("--signed-to", help="YYYY-MM-DD")
        parser.add_argument("--size", help="lt1, ge1, ge10, ge30")
        parser.add_argument("--source", help="source region code")
        parser.add_argument("--source-group", help="region group id")
        parser.add_argument("--channel", help="channel id")
        parser.add_argument("--q", help="search text")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        data = QueryDict(mutable=True)
        for name in options["district"] or []:
            data.appendlist("district", str(district_named(name).pk))
        for option, key in FILTERS.items():
            value = options.get(option)
            if value in (None, "", []):
                continue
            for each in value if isinstance(value, list) else [value]:
                data.appendlist(key, str(each))
        output = Path(options["output"])
        if not output.parent.exists():
            raise CommandError(
                _("The folder %(folder)s does not exist.") % {"folder": output.parent},
                returncode=2,
            )
        try:
            template = template_named(options["template"])
            export = LedgerExport(user=user, data=data, template=template, unit=options["unit"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from exc
        progress = Progress(enabled=not options["no_progress"])
        partial = output.with_name(output.name + ".part")
        try:
            if options["format"] == "xlsx":
                export.write_xlsx(partial, progress=progress)
            else:
                with partial.open("w", encoding="utf-8", newline="") as handle:
                    for piece in export.csv_lines(progress=progress):
                        handle.write(piece)
            os.replace(partial, output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": exc},
                returncode=1,
            ) from exc
        finally:
            progress.close()
        log_export(export, fmt=options["format"], file_name=output.name, source="command")
        self.stdout.write(
            _(
                "%(count)s projects exported to %(path)s (template %(template)s, amounts in %(unit)s)."
            )
            % {
                "count": export.rows_written,
                "path": output,
                "template": export.template.name,
                "unit": "万元" if export.unit == "wan" else "亿元",
            }
        )

"""`yinli import PATH`: import a district's project ledger (.xlsx, .xls, .ods, .csv).

    yinli import 台账.xlsx --district 京口区 --dry-run --format json
    yinli import 台账.xlsx --district jingkou --skip-invalid
    yinli import 全市项目.csv --bulk --skip-invalid
    yinli import 台账.xlsx --duplicates distinct --duplicate-reason "集团在多个板块分别投资"

A row that would create a project its investor (or its name) already has in another district is
held — not written, listed under "held_rows" — unless --duplicates distinct (with
--duplicate-reason) declares every such row a different investment; to answer row by row, use
the preview page.

Exit status: 0 done (or a clean dry run), 1 when errors stopped the import (or a dry run found
errors), 2 for a usage error (an unknown district or user, a district that is not the user's).
With --format json the summary alone goes to stdout; progress goes to stderr.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yinli.core.services import PermissionDeniedError
from yinli.ledger.importer import CHUNK_SIZE, commit_import, preview_import
from yinli.ledger.reader import LedgerFileError

from ._common import Progress, acting_user, district_named, emit_json


class Command(BaseCommand):
    help = "Import a project ledger (台账) from .xlsx, .xls, .ods or .csv."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--district", help="code or exact name of the district the file is for")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="write the valid rows and report the rest"
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help="stream a very large file, written in undoable chunks",
        )
        parser.add_argument(
            "--duplicates",
            choices=["hold", "distinct"],
            default="hold",
            help="rows that may duplicate a project of another district: hold them (default) "
            "or import them as different investments (needs --duplicate-reason)",
        )
        parser.add_argument(
            "--duplicate-reason", default="", help="why they are different investments"
        )
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--user", help="act as this user (default: the first city admin)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        district = district_named(options["district"])
        progress = Progress(enabled=not options["no_progress"])
        try:
            if options["dry_run"]:
                result = preview_import(
                    path=options["path"],
                    user=user,
                    district=district,
                    progress=progress,
                    chunk_size=options["chunk_size"],
                    undecided=options["duplicates"],
                    undecided_reason=options["duplicate_reason"],
                )
            else:
                result = commit_import(
                    path=options["path"],
                    user=user,
                    district=district,
                    skip_invalid=options["skip_invalid"],
                    bulk=options["bulk"],
                    progress=progress,
                    chunk_size=options["chunk_size"],
                    undecided=options["duplicates"],
                    undecided_reason=options["duplicate_reason"],
                )
        except FileNotFoundError as exc:
            raise CommandError(
                _("No such file: %(path)s") % {"path": options["path"]}, returncode=2
            ) from exc
        except PermissionDeniedError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from exc
        except LedgerFileError as exc:
            if options["format"] == "json":
                emit_json(
                    self.stdout,
                    {
                        "rows": 0,
                        "created": 0,
                        "updated": 0,
                        "unchanged": 0,
                        "skipped": 0,
                        "possible_duplicates": [],
                        "errors": [
                            {
                                "row": None,
                                "column": "",
                                "value": "",
                                "message": " ".join(exc.messages),
                            }
                        ],
                    },
                )
            raise CommandError(" ".join(exc.messages), returncode=1) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=1) from exc
        finally:
            progress.close()
        summary = result.summary()
        if options["format"] == "json":
            emit_json(self.stdout, summary)
        else:
            self._text(summary)
        stopped = bool(result.errors) and not result.committed
        if stopped:
            raise CommandError(
                _("%(count)s problems in %(rows)s rows; nothing was written.")
                % {"count": len(result.errors), "rows": result.error_rows},
                returncode=1,
            )

    def _text(self, summary: dict) -> None:
        write = self.stdout.write
        write(
            _(
                "%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s "
                "unchanged, %(skipped)s skipped."
            )
            % summary
        )
        if summary["dry_run"]:
            write(
                _(
                    "Dry run: would create %(would_create)s and update %(would_update)s; nothing "
                    "was written."
                )
                % summary
            )
        for error in summary["errors"]:
            write(_("Row %(row)s, %(column)s, “%(value)s”: %(message)s") % error)
        for warning in summary["warnings"]:
            write(_("Note: row %(row)s, %(column)s: %(message)s") % warning)
        for duplicate in summary["possible_duplicates"]:
            write(_("Row %(row)s may duplicate project #%(project_id)s: %(reason)s") % duplicate)
        if summary["held_rows"]:
            write(
                _(
                    "Held, not written (possible duplicates nobody answered for): rows %(rows)s. "
                    "Answer them on the preview page, or use --duplicates distinct."
                )
                % {"rows": "、".join(str(h["row"]) for h in summary["held_rows"])}
            )
        if summary["batch"]:
            write(_("Import #%(batch)s recorded.") % summary)

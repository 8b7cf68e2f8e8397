"""`yinli import_fai PATH` (also `yinli import-fai`): the statistics bureau's 入库 list.

Sets the 入库列统 month and the 投资项目代码 on the matching projects and lists those it cannot
match. Exit status 1 when unreadable rows stopped it, 2 for a usage error.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yinli.core.services import PermissionDeniedError
from yinli.ledger.fai import import_fai

from ._common import acting_user, emit_json


class Command(BaseCommand):
    help = "Import the statistics bureau's 入库 list (项目代码, 项目名称, 入库月份, 计划总投资)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--user", help="act as this user (default: the first city admin)")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        try:
            result = import_fai(path=options["path"], user=user, dry_run=options["dry_run"])
        except FileNotFoundError as exc:
            raise CommandError(
                _("No such file: %(path)s") % {"path": options["path"]}, returncode=2
            ) from exc
        except PermissionDeniedError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=1) from exc
        summary = result.summary()
        if options["format"] == "json":
            emit_json(self.stdout, summary)
        else:
            self.stdout.write(
                _("%(rows)s rows: %(updated)s projects updated, %(unchanged)s unchanged.") % summary
            )
            for entry in summary["matched_by_name"]:
                self.stdout.write(
                    _("Row %(row)s matched project #%(project_id)s by its name only.") % entry
                )
            for entry in summary["unmatched"]:
                self.stdout.write(_("Row %(row)s (%(code)s %(name)s) matches no project.") % entry)
            for error in summary["errors"]:
                self.stdout.write(_("Row %(row)s, %(column)s, “%(value)s”: %(message)s") % error)
        if result.errors:
            raise CommandError(_("Unreadable rows stopped the import."), returncode=1)

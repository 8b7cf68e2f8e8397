"""`yinli backup PATH`: the whole database in one zip file (see yinli.core.backup)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from yinli.core.backup import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Write the whole database (soft-deleted rows and change history included) to one zip "
        "file that `yinli restore` loads into a freshly migrated SQLite or PostgreSQL database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to write, e.g. yinli-2025-08-10.zip")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, path, database, format, verbosity, **options):
        progress = (lambda m: self.stderr.write(m)) if verbosity > 0 else None
        try:
            manifest = write_backup(path, using=database, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"无法写入备份文件 {path}：{exc}", returncode=2) from None
        if format == "json":
            summary = manifest.as_dict()
            summary.pop("contenttypes")
            summary.pop("permissions")
            summary["path"] = str(path)
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{path}: {manifest.total_rows} 行（{manifest.engine}）")

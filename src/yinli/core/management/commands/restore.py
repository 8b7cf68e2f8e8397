"""`yinli restore PATH`: load a `yinli backup` file into this database (see yinli.core.backup)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from yinli.core.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = (
        "Replace the contents of the database with a backup written by `yinli backup`. Run "
        "`yinli migrate` first. Refuses a database that already holds users, projects or history "
        "unless --force. One transaction: on any error nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file written by `yinli backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="empty a database that already holds data before restoring",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only read and print the backup's manifest; change nothing",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, path, force, database, check, format, verbosity, **options):
        progress = (lambda m: self.stderr.write(m)) if verbosity > 0 else None
        try:
            if check:
                manifest = read_manifest(path)
            else:
                manifest = restore_backup(path, using=database, force=force, progress=progress)
        except BackupError as exc:
            returncode = 2 if not _exists(path) else 1
            raise CommandError(str(exc), returncode=returncode) from None
        if format == "json":
            summary = manifest.as_dict()
            summary.pop("contenttypes")
            summary.pop("permissions")
            summary["path"] = str(path)
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            verb = "备份内容" if check else "已恢复"
            self.stdout.write(
                f"{verb} {path}: {manifest.total_rows} 行，来自 {manifest.engine}，"
                f"{manifest.created_at}，引力 {manifest.yinli_version}"
            )


def _exists(path: str) -> bool:
    from pathlib import Path

    return Path(path).is_file()

"""`yinli api_schema`: print the OpenAPI schema; `--write` refreshes the committed copy (and
refuses when that would remove a path or a response field); `--check` exits 1 when the
committed copy is out of date."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from yinli.api import snapshot


class Command(BaseCommand):
    help = "Print the API's OpenAPI schema, or refresh (--write) or check (--check) the copy."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true", help=f"Write it to {snapshot.SNAPSHOT}.")
        group.add_argument(
            "--check", action="store_true", help="Exit 1 if the committed copy differs."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="With --write: write even when paths or response fields would disappear "
            "(only for a new API version).",
        )

    def handle(self, *args, write: bool, check: bool, force: bool, **options):
        generated = snapshot.generated_schema()
        text = snapshot.dumps(generated)
        if check or write:
            gone = (
                snapshot.removed(snapshot.committed_schema(), generated)
                if (snapshot.SNAPSHOT.exists())
                else []
            )
            if gone:
                self.stderr.write(
                    "Within v1 changes only add; this would remove:\n  " + "\n  ".join(gone)
                )
                if write and not force:
                    raise CommandError(
                        "Schema not written (--force writes it anyway).", returncode=1
                    )
        if check:
            current = (
                snapshot.SNAPSHOT.read_text(encoding="utf-8") if snapshot.SNAPSHOT.exists() else ""
            )
            if current != text:
                raise CommandError(
                    f"{snapshot.SNAPSHOT} is out of date: run `{snapshot.REFRESH_COMMAND}`.",
                    returncode=1,
                )
            self.stderr.write("The committed API schema is up to date.")
            return
        if write:
            snapshot.SNAPSHOT.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {snapshot.SNAPSHOT}.")
            return
        self.stdout.write(text, ending="")

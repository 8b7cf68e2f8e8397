"""`yinli demo`: build the demo city (yinli.demo.build) into an empty database.

    yinli demo [--if-empty] [--seed N] [--reference-date 2025-08-10] [--format text|json]
    yinli demo --remove-logins

The demo city is only ever built into an empty database (no projects, companies or
organisation units): on one that holds data the command refuses (exit 1), or with --if-empty
does nothing and says so (exit 0) — `make run` calls it that way on every start. To rebuild,
start from a fresh database (`yinli flush` keeps the reference data, then `yinli demo`).
--remove-logins deactivates the demo logins, whose password is public, and builds nothing.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from yinli.demo.build import (
    DEFAULT_SEED,
    STEPS,
    DemoError,
    build_demo,
    database_holds_data,
    reference_date_setting,
)
from yinli.demo.services import remove_demo_logins


class Command(BaseCommand):
    help = _(
        "Build the demo city (a deterministic, invented city modelled on Zhenjiang) into an "
        "empty database, or deactivate its logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("do nothing (and succeed) when the database already holds data"),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("the random seed; the same seed gives the same city"),
        )
        parser.add_argument(
            "--reference-date",
            help=_("the demo's today, YYYY-MM-DD, on or after 2025-07-01"),
        )
        parser.add_argument(
            "--remove-logins",
            action="store_true",
            help=_("deactivate the demo logins instead of building"),
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        as_json = options["format"] == "json"
        if options["remove_logins"]:
            names = remove_demo_logins()
            if as_json:
                self.stdout.write(json.dumps({"deactivated": names}, ensure_ascii=False))
            else:
                self.stderr.write(
                    _("Demo logins deactivated: %(names)s.") % {"names": ", ".join(names) or "-"}
                )
            return

        reference_date = self._reference_date(options["reference_date"])
        if database_holds_data():
            if options["if_empty"]:
                self.stderr.write(
                    _("The database already holds data; the demo city was not built.")
                )
                if as_json:
                    self.stdout.write(json.dumps({"built": False}))
                return
            raise CommandError(
                _(
                    "The database already holds data; the demo city is only built into an "
                    "empty database. Start from a fresh one (yinli flush) or use --if-empty."
                ),
                returncode=1,
            )

        bar = tqdm(
            total=len(STEPS),
            desc=str(_("Demo city")),
            file=self.stderr._out,
            disable=options["verbosity"] == 0,
            leave=False,
        )
        started = [False]

        def step(name: str) -> None:
            if started[0]:
                bar.update(1)
            started[0] = True
            bar.set_postfix_str(name)

        try:
            result = build_demo(seed=options["seed"], reference_date=reference_date, step=step)
        except DemoError as exc:
            raise CommandError(str(exc), returncode=1) from None
        finally:
            bar.update(bar.total - bar.n)
            bar.close()

        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        counts = result.counts
        self.stdout.write(
            _(
                "Demo city built (seed %(seed)s, reference date %(date)s): %(projects)s projects, "
                "%(companies)s companies, %(units)s organisation units."
            )
            % {
                "seed": result.seed,
                "date": result.reference_date.isoformat(),
                "projects": counts["projects"],
                "companies": counts["companies"],
                "units": counts["org_units"],
            }
        )
        self.stdout.write(_("Demo logins (password %(password)s):") % {"password": "yinli-demo"})
        for login in result.logins:
            self.stdout.write(f"  {login['username']:<10} {login['name']}")

    @staticmethod
    def _reference_date(text: str | None) -> date:
        if not text:
            return reference_date_setting()
        try:
            value = date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                _('"%(value)s" is not a date; write it as YYYY-MM-DD.') % {"value": text},
                returncode=2,
            ) from None
        if value < date(2025, 7, 1):
            raise CommandError(
                _("The reference date must be on or after 2025-07-01."), returncode=2
            )
        return value

"""`yinli reorganize`: merge or rename organisation units from a given date (see yinli.core.reorg).

    yinli reorganize --on 2025-01-01 \\
        --create jk-newenergy:新能源及新型电力装备产业招商局:bureau:jingkai \\
        --map jk-old-energy=jk-newenergy --map jk-old-power=jk-newenergy [--dry-run]

Exit 0 on success, 1 when the data stops it (an unknown code, a unit mapped onto itself, a new
unit that has ended …), 2 for a usage error. `--format json` prints the summary alone on stdout;
progress and messages go to stderr.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from tqdm import tqdm

from yinli.core.models import OrgKind, OrgUnit, Role, User
from yinli.core.reorg import reorganize


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _data(message: str) -> CommandError:
    return CommandError(message, returncode=1)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _usage(
            _('"%(value)s" is not a date; write it as YYYY-MM-DD, e.g. 2025-01-01.')
            % {"value": text}
        ) from None


def parse_map(items: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise _usage(_('--map "%(value)s" must read OLDCODE=NEWCODE.') % {"value": item})
        pairs.append((old.strip(), new.strip()))
    olds = [old for old, _new in pairs]
    for old in olds:
        if olds.count(old) > 1:
            raise _usage(_("%(code)s is mapped more than once.") % {"code": old})
    return pairs


def parse_create(items: list[str]) -> list[dict[str, str]]:
    """CODE:NAME:KIND:PARENTCODE (the name may itself hold a colon; PARENTCODE may be empty)."""
    specs = []
    for item in items:
        code, sep, rest = item.partition(":")
        parts = rest.rsplit(":", 2)
        if not sep or len(parts) != 3 or not code.strip() or not parts[0].strip():
            raise _usage(
                _('--create "%(value)s" must read CODE:NAME:KIND:PARENTCODE.') % {"value": item}
            )
        name, kind, parent = (p.strip() for p in parts)
        if kind not in OrgKind.values:
            raise _usage(
                _('--create "%(value)s": the kind must be one of %(kinds)s.')
                % {"value": item, "kinds": ", ".join(OrgKind.values)}
            )
        specs.append({"code": code.strip(), "name": name, "kind": kind, "parent": parent})
    return specs


def acting_user(username: str | None) -> User:
    """`--user NAME`, or the first active city administrator."""
    if username:
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise _data(_('No active user named "%(name)s".') % {"name": username})
        return user
    user = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(role=Role.CITY_ADMIN))
        .order_by("pk")
        .first()
    )
    if user is None:
        raise _data(_("There is no city administrator to act as; name one with --user."))
    return user


def _tqdm_progress(stream):
    def wrap(items, total, description):
        return tqdm(items, total=total, desc=str(description), file=stream, leave=False)

    return wrap


class Command(BaseCommand):
    help = _(
        "Reorganise organisation units from a date: each old unit ends the day before and its "
        "open projects, its people and its current sub-units move to the new unit. The change "
        "history of every moved project records the move."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", required=True, help=_("the first day of the new organisation"))
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OLDCODE=NEWCODE",
            help=_("an old unit and the unit that takes it over (repeat)"),
        )
        parser.add_argument(
            "--create",
            action="append",
            default=[],
            metavar="CODE:NAME:KIND:PARENTCODE",
            help=_("create a new unit, starting on --on, before mapping (repeat)"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("show what would move; change nothing"),
        )
        parser.add_argument("--user", help=_("act as this user (default: the first city admin)"))
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        on = parse_date(options["on"])
        pairs = parse_map(options["map"])
        if not pairs:
            raise _usage(_("Give at least one --map OLDCODE=NEWCODE."))
        creates = parse_create(options["create"])
        by = acting_user(options["user"])
        progress = _tqdm_progress(self.stderr._out) if options["verbosity"] > 0 else None

        try:
            with transaction.atomic():
                created = [self._create(spec, on) for spec in creates]
                mapping = {self._unit(old): self._unit(new) for old, new in pairs}
                summary = reorganize(
                    on=on, mapping=mapping, by=by, dry_run=options["dry_run"], progress=progress
                )
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            raise _data(" ".join(exc.messages)) from None

        result = summary.as_dict()
        result["created_units"] = [spec["code"] for spec in creates]
        result["by"] = by.username
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        if options["dry_run"]:
            self.stderr.write(_("Dry run: nothing was changed."))
        for unit in created:
            self.stdout.write(
                _("Created %(name)s (%(code)s).") % {"name": unit.name, "code": unit.code}
            )
        for move in summary.units:
            self.stdout.write(
                _(
                    "%(old)s (%(old_code)s) → %(new)s (%(new_code)s), ends %(ends)s: "
                    "%(projects)d projects, %(users)d people, %(subunits)d sub-units"
                )
                % {
                    "old": move.old_name,
                    "old_code": move.old_code,
                    "new": move.new_name,
                    "new_code": move.new_code,
                    "ends": move.ends_on.isoformat(),
                    "projects": move.projects,
                    "users": move.users,
                    "subunits": move.subunits,
                }
            )

    @staticmethod
    def _unit(code: str) -> OrgUnit:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise _data(
                _('There is no organisation unit with the code "%(code)s".') % {"code": code}
            )
        return unit

    def _create(self, spec: dict[str, str], on: date) -> OrgUnit:
        if OrgUnit.objects.filter(code=spec["code"]).exists():
            raise _data(
                _('An organisation unit with the code "%(code)s" exists already.')
                % {"code": spec["code"]}
            )
        parent = self._unit(spec["parent"]) if spec["parent"] else None
        unit = OrgUnit(
            code=spec["code"],
            name=spec["name"],
            short_name=spec["name"][:32],
            kind=spec["kind"],
            parent=parent,
            region=parent.region if parent else None,
            valid_from=on,
        )
        unit.full_clean(exclude=["district", "successor"])
        unit.save()
        return unit

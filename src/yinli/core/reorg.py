"""Reorganisations (机构调整): old units end, new units take over their current work.

A reorganisation never deletes a unit. On the day it takes effect each old unit ends (its
`valid_to` is the day before) and names its successor; what it is *currently* responsible for
moves to the successor: open projects (推进中 or 暂缓, not merged, not deleted) through
`save_tracked`, so each project's change history records the move and the person who made it;
the people in the unit; its sub-units that are still current. Closed projects (流失, 终止) and
everything already recorded keep the old unit, so history reads as it happened: a project lost
in 2024 stays with the bureau that lost it.

`reorganize` validates the whole mapping before it writes, raises `ValidationError` naming the
unit at fault, and with `dry_run=True` computes the same summary and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import OrgUnit, User
from .services import save_tracked

# A progress wrapper: (iterable, total, description) -> iterable. The command passes tqdm.
Progress = Callable[[Iterable, int, str], Iterable]

# The statuses of a project someone still works on; 流失 and 终止 are closed.
OPEN_STATUSES = ("active", "paused")
CHANGE_REASON = "reorganize"


@dataclass
class UnitMove:
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    ends_on: date
    projects: int = 0
    users: int = 0
    subunits: int = 0


@dataclass
class ReorgSummary:
    on: date
    dry_run: bool
    units: list[UnitMove] = field(default_factory=list)

    @property
    def projects_moved(self) -> int:
        return sum(u.projects for u in self.units)

    @property
    def users_moved(self) -> int:
        return sum(u.users for u in self.units)

    @property
    def subunits_moved(self) -> int:
        return sum(u.subunits for u in self.units)

    def as_dict(self) -> dict:
        return {
            "on": self.on.isoformat(),
            "dry_run": self.dry_run,
            "units_ended": len(self.units),
            "projects_moved": self.projects_moved,
            "users_moved": self.users_moved,
            "subunits_moved": self.subunits_moved,
            "units": [{**asdict(u), "ends_on": u.ends_on.isoformat()} for u in self.units],
        }


def _no_progress(items: Iterable, total: int, description: str) -> Iterable:
    return items


def validate_mapping(*, on: date, mapping: Mapping[OrgUnit, OrgUnit]) -> None:
    """Refuse a mapping that cannot be carried out, naming the unit at fault."""
    if not mapping:
        raise ValidationError(_("Name at least one old unit and the unit that takes it over."))
    olds = {old.pk for old in mapping}
    for old, new in mapping.items():
        params = {
            "old": old.name,
            "old_code": old.code,
            "new": new.name,
            "new_code": new.code,
            "on": on.isoformat(),
        }
        if old.pk == new.pk:
            raise ValidationError(
                _("%(old)s (%(old_code)s) cannot be mapped onto itself.") % params, code="self"
            )
        if new.pk in olds:
            raise ValidationError(
                _(
                    "%(new)s (%(new_code)s) ends in this reorganisation, so it cannot take over "
                    "another unit."
                )
                % params,
                code="chain",
            )
        if old.valid_to is not None and old.valid_to < on:
            raise ValidationError(
                _("%(old)s (%(old_code)s) already ended on %(ended)s.")
                % {**params, "ended": old.valid_to.isoformat()},
                code="old_ended",
            )
        if old.valid_from is not None and old.valid_from >= on:
            raise ValidationError(
                _("%(old)s (%(old_code)s) only starts on %(start)s, not before %(on)s.")
                % {**params, "start": old.valid_from.isoformat()},
                code="old_not_started",
            )
        if new.valid_to is not None and new.valid_to < on:
            raise ValidationError(
                _(
                    "%(new)s (%(new_code)s) ended on %(ended)s; a unit that has ended cannot "
                    "take over %(old)s."
                )
                % {**params, "ended": new.valid_to.isoformat()},
                code="new_ended",
            )
        if new.valid_from is not None and new.valid_from > on:
            raise ValidationError(
                _("%(new)s (%(new_code)s) only starts on %(start)s, after %(on)s.")
                % {**params, "start": new.valid_from.isoformat()},
                code="new_not_started",
            )
        ancestor, seen = new.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if ancestor.pk in olds:
                raise ValidationError(
                    _(
                        "%(new)s (%(new_code)s) sits under %(ancestor)s, which ends in this "
                        "reorganisation; place it elsewhere first."
                    )
                    % {**params, "ancestor": ancestor.name},
                    code="under_old",
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


@transaction.atomic
def reorganize(
    *,
    on: date,
    mapping: Mapping[OrgUnit, OrgUnit],
    by: User | None,
    dry_run: bool = False,
    recorded_at: datetime | None = None,
    progress: Progress | None = None,
) -> ReorgSummary:
    """End each old unit the day before `on` and hand its current work to its new unit.

    `mapping` maps old units to new ones; several old units may map onto one new unit (8
    bureaus merged into 6). The new units exist already (a new unit without a start date
    starts on `on`). `by` is recorded as the author of every project's change. `recorded_at`
    dates those change records (default: now), for loading a reorganisation that happened
    earlier. Returns what moved; with `dry_run` the same summary, and nothing is written.
    """
    from yinli.projects.models import Project

    progress = progress or _no_progress
    mapping = {
        OrgUnit.objects.select_for_update().get(pk=old.pk): OrgUnit.objects.get(pk=new.pk)
        for old, new in mapping.items()
    }
    validate_mapping(on=on, mapping=mapping)
    ends_on = on - timedelta(days=1)
    summary = ReorgSummary(on=on, dry_run=dry_run)
    old_ids = [old.pk for old in mapping]
    olds_by_id = {old.pk: old for old in mapping}
    moves = {
        old.pk: UnitMove(old.code, old.name, new.code, new.name, ends_on)
        for old, new in mapping.items()
    }

    with transaction.atomic():
        for new in {new.pk: new for new in mapping.values()}.values():
            if new.valid_from is None:
                new.valid_from = on
                new.save(update_fields=["valid_from"])

        projects = list(
            Project.objects.filter(
                responsible_unit_id__in=old_ids,
                status__in=OPEN_STATUSES,
                merged_into__isnull=True,
            ).order_by("pk")
        )
        for project in progress(projects, len(projects), _("Projects")):
            old_id = project.responsible_unit_id
            project.responsible_unit = mapping[olds_by_id[old_id]]
            project._change_reason = CHANGE_REASON
            if recorded_at is not None:
                project._history_date = recorded_at
            save_tracked(instance=project, by=by)
            moves[old_id].projects += 1

        for user in User.objects.filter(org_unit_id__in=old_ids).order_by("pk"):
            old_id = user.org_unit_id
            user.org_unit = mapping[olds_by_id[old_id]]
            user.save(update_fields=["org_unit"])
            moves[old_id].users += 1

        children = OrgUnit.objects.filter(parent_id__in=old_ids).exclude(pk__in=old_ids)
        for child in children.order_by("pk"):
            if child.valid_to is not None and child.valid_to < on:
                continue  # ended before: it stays where it was
            old_id = child.parent_id
            child.parent = mapping[olds_by_id[old_id]]
            child.save()  # recomputes its district
            moves[old_id].subunits += 1

        for old, new in mapping.items():
            old.valid_to = ends_on
            old.successor = new
            old.save(update_fields=["valid_to", "successor"])

        summary.units = [moves[pk] for pk in old_ids]
        if dry_run:
            transaction.set_rollback(True)
    return summary

"""Who sees and changes target lists (招商清单), on top of yinli.core.scoping.

A target list belongs to the team it is assigned to:
- the city (admin, analyst, city-level viewers) sees every list; the admin and the analysts,
  who plan the targeting, change every list and assign lists to any unit;
- a district's editors and viewers see the lists of every unit of their district; its editors
  change them and assign lists to their district's units;
- a team member sees and changes the lists of her unit and the units under it, and assigns
  lists to them;
- anyone else sees nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yinli.core.models import OrgUnit, Role
from yinli.core.scoping import (
    changes_everything,
    scoped,
    unit_read_filter,
    unit_subtree_ids,
)

from .models import TargetList


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _plans_for_city(user) -> bool:
    return _active(user) and (
        changes_everything(user) or user.role in (Role.CITY_ADMIN, Role.CITY_ANALYST)
    )


def _write_filter(user) -> Q | None:
    if _plans_for_city(user):
        return None
    unit = user.org_unit
    if unit is None:
        return Q(pk__in=[])
    if user.role == Role.DISTRICT_EDITOR and unit.district_id:
        return Q(team__district_id=unit.district_id)
    if user.role == Role.TEAM_MEMBER:
        return Q(team_id__in=unit_subtree_ids(unit.pk))
    return Q(pk__in=[])


def visible_target_lists(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = TargetList.objects.all() if queryset is None else queryset
    return scoped(queryset, user, unit_read_filter(user, "team"))


def changeable_target_lists(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = TargetList.objects.all() if queryset is None else queryset
    return scoped(queryset, user, _write_filter(user))


def can_change_target_list(user, target_list: TargetList) -> bool:
    return changeable_target_lists(user, TargetList.objects.filter(pk=target_list.pk)).exists()


def teams_for_target_lists(user) -> QuerySet:
    """The units a user may assign a target list to (current units only)."""
    units = OrgUnit.objects.filter(valid_to__isnull=True).order_by("sort_order", "code")
    if _plans_for_city(user):
        return units
    if not _active(user) or user.org_unit is None:
        return units.none()
    unit = user.org_unit
    if user.role == Role.DISTRICT_EDITOR and unit.district_id:
        return units.filter(district_id=unit.district_id)
    if user.role == Role.TEAM_MEMBER:
        return units.filter(pk__in=unit_subtree_ids(unit.pk))
    return units.none()


def may_make_target_lists(user) -> bool:
    return teams_for_target_lists(user).exists()

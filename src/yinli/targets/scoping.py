"""Who sees and sets targets, and who sees the ranking (built on yinli.core.scoping).

- Targets: the city (admins, analysts, city-level viewers) sees every unit's; a district's
  editors and viewers see the targets of their district and of the units under it; a team
  member those of her unit (and the units under it) and of her district. Nobody else sees any.
- Only city roles (admin, analyst: 投资促进处 sets and assesses the targets) set targets and
  edit scoring schemes.
- The ranking (龙虎榜) is published to the districts: every user of a district, bureau or team
  sees every district's score and figures — that is the point of a ranking, and the city's
  notices print it anyway. What a line of an explanation names (a lost project, a conflict)
  is named only where the user may see that project (yinli.core.scoping.visible_projects);
  otherwise the line says "another district's project" and keeps only its points. A user
  without a unit (or in a city-level office) sees no ranking unless she sees everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yinli.core import scoping
from yinli.core.models import OrgKind, OrgUnit, Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def may_set_targets(user) -> bool:
    return _active(user) and bool(user.is_city_role)


def visible_units(user) -> QuerySet[OrgUnit]:
    """The units whose targets and progress the user may read."""
    units = OrgUnit.objects.all()
    if scoping.sees_everything(user):
        return units
    if not _active(user) or user.org_unit is None:
        return units.none()
    unit = user.org_unit
    if user.role in (Role.DISTRICT_EDITOR, Role.VIEWER) and unit.district_id:
        return units.filter(district_id=unit.district_id)
    if user.role == Role.TEAM_MEMBER:
        condition = Q(pk__in=scoping.unit_subtree_ids(unit.pk))
        if unit.district_id:
            condition |= Q(pk=unit.district_id)
        return units.filter(condition)
    return units.none()


def visible_targets(user, queryset: QuerySet | None = None) -> QuerySet:
    from .models import Target

    queryset = Target.objects.all() if queryset is None else queryset
    if scoping.sees_everything(user):
        return queryset
    return queryset.filter(unit__in=visible_units(user))


def sees_ranking(user) -> bool:
    if scoping.sees_everything(user):
        return True
    if not _active(user) or user.org_unit is None:
        return False
    return bool(user.org_unit.district_id) and user.org_unit.kind != OrgKind.CITY


def own_district_id(user) -> int | None:
    unit = getattr(user, "org_unit", None) if _active(user) else None
    return unit.district_id if unit is not None else None

"""Who sees and acts on reports, built on yinli.core.scoping.

- The city (admins, analysts, city-level viewers) sees every district's reports; a district's
  people (editors, viewers, teams) see their district's own; anyone else nothing.
- Only a district's own editors submit its report; only city roles (admin, analyst) accept or
  return; only a city admin reopens a locked period for a correction.
"""

from __future__ import annotations

from django.db.models import QuerySet

from yinli.core import scoping
from yinli.core.models import OrgKind, OrgUnit, Role

from .models import Report


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def own_district_id(user) -> int | None:
    if not _active(user) or user.org_unit is None:
        return None
    return user.org_unit.district_id


def visible_districts(user) -> QuerySet[OrgUnit]:
    districts = OrgUnit.objects.filter(kind=OrgKind.DISTRICT)
    if scoping.sees_everything(user):
        return districts
    own = own_district_id(user)
    return districts.filter(pk=own) if own else districts.none()


def visible_reports(user, queryset: QuerySet | None = None) -> QuerySet[Report]:
    queryset = Report.objects.all() if queryset is None else queryset
    if scoping.sees_everything(user):
        return queryset
    own = own_district_id(user)
    return queryset.filter(district_id=own) if own else queryset.none()


def may_submit(user, district: OrgUnit) -> bool:
    return (
        _active(user) and user.role == Role.DISTRICT_EDITOR and own_district_id(user) == district.pk
    )


def may_review(user) -> bool:
    return _active(user) and (
        user.is_superuser or user.role in (Role.CITY_ADMIN, Role.CITY_ANALYST)
    )


def may_correct(user) -> bool:
    return scoping.changes_everything(user)


def sees_every_district(user) -> bool:
    return scoping.sees_everything(user)

"""Notifications in the app (站内通知): to one user, or to everyone of an organisation unit.

A unit's notification reaches the members of that unit and, for a district (板块), its editors
and viewers wherever they sit in the district; the city unit's reach the city roles. Reading is
computed per row (``read_at``): a unit's notification read by one member is read for the unit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Notification, OrgKind, OrgUnit, Role
from .scoping import _active


def _units_of(user) -> set[int]:
    """The units whose notifications the user receives."""
    units: set[int] = set()
    unit = user.org_unit
    if unit is not None:
        units.add(unit.pk)
        if unit.district_id and user.role in (Role.DISTRICT_EDITOR, Role.VIEWER):
            units.add(unit.district_id)
    if user.is_city_role:
        units.update(OrgUnit.objects.filter(kind=OrgKind.CITY).values_list("pk", flat=True))
    return units


def notifications_for(user) -> QuerySet[Notification]:
    if not _active(user):
        return Notification.objects.none()
    return Notification.objects.filter(
        Q(recipient_user=user) | Q(recipient_unit_id__in=_units_of(user))
    )


def unread_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def notify(
    *,
    text: str,
    link: str = "",
    users: Iterable = (),
    units: Iterable[OrgUnit | None] = (),
) -> list[Notification]:
    """One notification per distinct user and unit (None values are skipped)."""
    rows: list[Notification] = []
    seen_units: set[int] = set()
    for unit in units:
        if unit is not None and unit.pk not in seen_units:
            seen_units.add(unit.pk)
            rows.append(Notification(recipient_unit=unit, text=text[:500], link=link))
    seen_users: set[int] = set()
    for user in users:
        if user is not None and user.pk not in seen_users:
            seen_users.add(user.pk)
            rows.append(Notification(recipient_user=user, text=text[:500], link=link))
    return Notification.objects.bulk_create(rows)


def city_units() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(kind=OrgKind.CITY, valid_to__isnull=True))


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None)."""
    queryset = notifications_for(user).filter(read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())

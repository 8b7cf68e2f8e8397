"""Who sees and changes what in the followup app, built on yinli.core.scoping.

- Funds in place and permit checklists belong to their project: those who see the project read
  them, those who may change the project record them.
- Alerts are the responsible unit's to-do list (谁签约谁跟踪谁落实): the city sees every alert, a
  district (editor or viewer) its district's, a team those of the projects its unit (or a unit
  under it) is responsible for — not the rest of the district's ledger it may read.
- Alert rules and permit templates are the city's: every signed-in user reads them, city
  analysts and administrators change them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from yinli.core import scoping
from yinli.core.models import CITY_ROLES, Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def alert_projects(user, queryset: QuerySet | None = None) -> QuerySet:
    """The projects whose alerts the user follows (see the module docstring)."""
    projects = scoping.visible_projects(user, queryset)
    if _active(user) and user.role == Role.TEAM_MEMBER and not scoping.sees_everything(user):
        if user.org_unit_id is None:
            return projects.none()
        projects = projects.filter(
            responsible_unit_id__in=scoping.unit_subtree_ids(user.org_unit_id)
        )
    return projects


def may_edit_rules(user) -> bool:
    """City analysts and administrators set the alert rules and permit templates."""
    return _active(user) and (user.is_superuser or user.role in CITY_ROLES)


def visible_permits(user, queryset: QuerySet | None = None) -> QuerySet:
    from .models import PermitItem

    queryset = PermitItem.objects.all() if queryset is None else queryset
    return queryset.filter(project__in=scoping.visible_projects(user).values("pk"))


def changeable_permits(user, queryset: QuerySet | None = None) -> QuerySet:
    from .models import PermitItem

    queryset = PermitItem.objects.all() if queryset is None else queryset
    return queryset.filter(project__in=scoping.changeable_projects(user).values("pk"))

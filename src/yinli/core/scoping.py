"""The one place that decides what a user may see and change.

Every list, detail page, export, API call and figure asks these functions; nothing else filters
by district. The rules (DESIGN.md, "One way to scope data"):

- city roles (admin, analyst) and superusers see everything; only the admin and the district's
  own editors change a district's records, the analyst reads;
- a district editor sees and changes her district's records;
- a team member changes the records her unit (or a unit under it) is responsible for, and reads
  the rest of her district's ledger when the district shares it with its sub-units;
- a viewer reads what her unit covers (a viewer without a unit, or at city level, reads all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from .models import OrgKind, OrgUnit, Role

if TYPE_CHECKING:
    from yinli.companies.models import Company
    from yinli.projects.models import Project


def unit_subtree_ids(unit_id: int) -> set[int]:
    """The unit and every unit under it (the organisation tree is small)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in OrgUnit.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = {unit_id}, [unit_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def sees_everything(user) -> bool:
    if not _active(user):
        return False
    if user.is_superuser or user.role in (Role.CITY_ADMIN, Role.CITY_ANALYST):
        return True
    unit = user.org_unit
    return user.role == Role.VIEWER and (unit is None or unit.kind == OrgKind.CITY)


def changes_everything(user) -> bool:
    return _active(user) and (user.is_superuser or user.role == Role.CITY_ADMIN)


def _project_read_filter(user) -> Q | None:
    """None means no restriction; Q(pk__in=[]) means nothing."""
    if sees_everything(user):
        return None
    unit = user.org_unit
    if unit is None:
        return Q(pk__in=[])
    own_units = unit_subtree_ids(unit.pk)
    if user.role == Role.DISTRICT_EDITOR or (user.role == Role.VIEWER and unit.district_id):
        if unit.district_id:
            return Q(district_id=unit.district_id)
        return Q(responsible_unit_id__in=own_units)
    # A team member (or a viewer in a city-level unit such as a liaison office).
    condition = Q(responsible_unit_id__in=own_units)
    if unit.district_id and unit.district.shares_with_subunits:
        condition |= Q(district_id=unit.district_id)
    return condition


def _project_write_filter(user) -> Q | None:
    if changes_everything(user):
        return None
    if not _active(user) or user.org_unit is None:
        return Q(pk__in=[])
    unit = user.org_unit
    if user.role == Role.DISTRICT_EDITOR and unit.district_id:
        return Q(district_id=unit.district_id)
    if user.role == Role.TEAM_MEMBER:
        return Q(responsible_unit_id__in=unit_subtree_ids(unit.pk))
    return Q(pk__in=[])


def visible_projects(user, queryset: QuerySet | None = None) -> QuerySet:
    from yinli.projects.models import Project

    queryset = Project.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    condition = _project_read_filter(user)
    return queryset if condition is None else queryset.filter(condition)


def changeable_projects(user, queryset: QuerySet | None = None) -> QuerySet:
    from yinli.projects.models import Project

    queryset = Project.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    condition = _project_write_filter(user)
    return queryset if condition is None else queryset.filter(condition)


def can_see_project(user, project: Project) -> bool:
    return visible_projects(user, type(project).all_objects.filter(pk=project.pk)).exists()


def can_change_project(user, project: Project) -> bool:
    return changeable_projects(user, type(project).all_objects.filter(pk=project.pk)).exists()


def districts_for_entry(user) -> QuerySet:
    """The districts a user may file a new project under."""
    districts = OrgUnit.objects.filter(kind=OrgKind.DISTRICT, valid_to__isnull=True)
    if changes_everything(user):
        return districts
    if not _active(user) or user.org_unit is None:
        return districts.none()
    if user.role in (Role.DISTRICT_EDITOR, Role.TEAM_MEMBER) and user.org_unit.district_id:
        return districts.filter(pk=user.org_unit.district_id)
    return districts.none()


def units_for_entry(user) -> QuerySet:
    """The units a user may name as responsible for a project."""
    units = OrgUnit.objects.filter(valid_to__isnull=True)
    if changes_everything(user):
        return units
    if not _active(user) or user.org_unit is None:
        return units.none()
    if user.role == Role.DISTRICT_EDITOR and user.org_unit.district_id:
        return units.filter(district_id=user.org_unit.district_id)
    if user.role == Role.TEAM_MEMBER:
        return units.filter(pk__in=unit_subtree_ids(user.org_unit.pk))
    return units.none()


def visible_companies(user, queryset: QuerySet | None = None) -> QuerySet:
    """The company registry is shared by the whole city: any signed-in user reads it.

    What a company page shows of its projects still goes through visible_projects.
    """
    from yinli.companies.models import Company

    queryset = Company.objects.all() if queryset is None else queryset
    return queryset if _active(user) else queryset.none()


def can_create_company(user) -> bool:
    """Those who enter projects enter their investors; analysts and viewers only read."""
    return changes_everything(user) or (
        _active(user) and user.role in (Role.DISTRICT_EDITOR, Role.TEAM_MEMBER)
    )


def can_change_company(user, company: Company) -> bool:
    """City admins; or anyone who may change every live project of the company (or it has none
    and she entered it)."""
    if changes_everything(user):
        return True
    if not _active(user) or user.role not in (Role.DISTRICT_EDITOR, Role.TEAM_MEMBER):
        return False
    projects = company.projects.all()
    if not projects.exists():
        return company.created_by_id == user.pk or company.created_by_id is None
    return changeable_projects(user, projects).count() == projects.count()


# --- Field work (visits, trips) -------------------------------------------------------------
#
# A visit or trip belongs to the unit that made it. A team sees (and changes) its own and those
# of the units under it; a district's editors and viewers see every unit of their district; the
# city sees all. Events are the city's: every signed-in user reads them.


def unit_read_filter(user, field: str) -> Q | None:
    """Records owned by a unit (the FK `field`): the city all, a district (editor or viewer) its
    units', anyone else their unit and the units under it."""
    if sees_everything(user):
        return None
    unit = user.org_unit
    if unit is None:
        return Q(pk__in=[])
    if user.role in (Role.DISTRICT_EDITOR, Role.VIEWER) and unit.district_id:
        return Q(**{f"{field}__district_id": unit.district_id})
    return Q(**{f"{field}_id__in": unit_subtree_ids(unit.pk)})


def _fieldwork_write_filter(user, field: str) -> Q | None:
    if changes_everything(user):
        return None
    if not _active(user) or user.org_unit is None:
        return Q(pk__in=[])
    unit = user.org_unit
    if user.role == Role.DISTRICT_EDITOR and unit.district_id:
        return Q(**{f"{field}__district_id": unit.district_id})
    if user.role == Role.TEAM_MEMBER:
        return Q(**{f"{field}_id__in": unit_subtree_ids(unit.pk)})
    return Q(pk__in=[])


def scoped(queryset: QuerySet, user, condition) -> QuerySet:
    if not _active(user):
        return queryset.none()
    return queryset if condition is None else queryset.filter(condition)


def visible_visits(user, queryset: QuerySet | None = None) -> QuerySet:
    from yinli.fieldwork.models import Visit

    queryset = Visit.objects.all() if queryset is None else queryset
    return scoped(queryset, user, _active(user) and unit_read_filter(user, "unit"))


def changeable_visits(user, queryset: QuerySet | None = None) -> QuerySet:
    from yinli.fieldwork.models import Visit

    queryset = Visit.objects.all() if queryset is None else queryset
    return scoped(queryset, user, _active(user) and _fieldwork_write_filter(user, "unit"))


def visible_trips(user, queryset: QuerySet | None = None) -> QuerySet:
    from yinli.fieldwork.models import Trip

    queryset = Trip.objects.all() if queryset is None else queryset
    return scoped(queryset, user, _active(user) and unit_read_filter(user, "unit"))


def changeable_trips(user, queryset: QuerySet | None = None) -> QuerySet:
    from yinli.fieldwork.models import Trip

    queryset = Trip.objects.all() if queryset is None else queryset
    return scoped(queryset, user, _active(user) and _fieldwork_write_filter(user, "unit"))


def visible_fieldwork_units(user) -> QuerySet:
    """The units whose field work the user may look at (the choices of a summary or calendar)."""
    units = OrgUnit.objects.all()
    if sees_everything(user):
        return units
    if not _active(user) or user.org_unit is None:
        return units.none()
    unit = user.org_unit
    if user.role in (Role.DISTRICT_EDITOR, Role.VIEWER) and unit.district_id:
        return units.filter(district_id=unit.district_id)
    return units.filter(pk__in=unit_subtree_ids(unit.pk))


def visible_events(user, queryset: QuerySet | None = None) -> QuerySet:
    from yinli.fieldwork.models import Event

    queryset = Event.objects.all() if queryset is None else queryset
    return queryset if _active(user) else queryset.none()


def changeable_events(user, queryset: QuerySet | None = None) -> QuerySet:
    """City admins change every event; a district's editors and teams those their units organise."""
    from yinli.fieldwork.models import Event

    queryset = Event.objects.all() if queryset is None else queryset
    return scoped(queryset, user, _active(user) and _fieldwork_write_filter(user, "organiser"))

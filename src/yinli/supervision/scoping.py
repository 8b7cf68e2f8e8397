"""Who sees and changes obstacles, task forces, instructions and documents.

Built on yinli.core.scoping, the one place that decides which projects a user sees:

- an obstacle or a task force goes with its project: seen by whoever sees the project, changed
  by whoever changes it, and by the city roles (the analysts coordinate the obstacle lists
  (要素保障) with the departments, so they raise and close obstacles as well);
- an instruction (批示) is seen by the city, by the units it is assigned to (a district sees
  those assigned to any of its units or on its projects, a team those assigned to its own
  units), by the leader who gave it and by those who see its project; a unit reports back for
  itself; the leader's office — the city roles — and the leader create it and mark it done;
- a document goes with its owner: seen when the owner is seen, attached and removed by whoever
  may change the owner. Another app registers its own owner models with ``document_owner``.

What a user may not see is a 404 in pages and API alike, never a 403 that would tell it exists.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, Q, QuerySet

from yinli.core import scoping
from yinli.core.models import OrgUnit, Role

from .models import Instruction, InstructionUnit, Obstacle, TaskForce


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_city(user) -> bool:
    """The city roles (admin, analyst) and superusers: the leader's office (督查) side."""
    return _active(user) and (
        user.is_superuser or user.role in (Role.CITY_ADMIN, Role.CITY_ANALYST)
    )


# --- Obstacles and task forces ----------------------------------------------------------------


def visible_obstacles(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Obstacle.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if scoping.sees_everything(user):
        return queryset
    return queryset.filter(project__in=scoping.visible_projects(user).values("pk"))


def may_change_obstacles_of(user, project) -> bool:
    """Raise, add progress to, close and reopen the obstacles of this project."""
    return is_city(user) or scoping.can_change_project(user, project)


def visible_task_forces(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = TaskForce.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if scoping.sees_everything(user):
        return queryset
    return queryset.filter(
        Q(project__in=scoping.visible_projects(user).values("pk"))
        | Q(lead=user)
        | Q(members=user)
        | Q(linked_leader=user)
    ).distinct()


def may_change_task_force_of(user, project) -> bool:
    return scoping.changes_everything(user) or scoping.can_change_project(user, project)


# --- Instructions -----------------------------------------------------------------------------


def _own_units(user) -> set[int]:
    """The units a user answers for or reads as her own: her unit and those under it; for a
    district's editors and viewers every unit of the district."""
    unit = user.org_unit
    if unit is None:
        return set()
    if user.role in (Role.DISTRICT_EDITOR, Role.VIEWER) and unit.district_id:
        return set(
            OrgUnit.objects.filter(district_id=unit.district_id).values_list("pk", flat=True)
        )
    return scoping.unit_subtree_ids(unit.pk)


def visible_instructions(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Instruction.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if scoping.sees_everything(user):
        return queryset
    assigned = InstructionUnit.objects.filter(unit_id__in=_own_units(user)).values("instruction_id")
    return queryset.filter(
        Q(pk__in=assigned)
        | Q(leader=user)
        | Q(project__in=scoping.visible_projects(user).values("pk"))
    )


def may_issue_instructions(user) -> bool:
    """The leader's office enters instructions: the city roles (admin, analyst)."""
    return is_city(user)


def may_close_instruction(user, instruction: Instruction) -> bool:
    """The leader's office (the city roles) or the leader who gave it marks it done."""
    return is_city(user) or (_active(user) and instruction.leader_id == user.pk)


def may_respond_for(user, assignment: InstructionUnit) -> bool:
    """A unit reports back for itself: its own editors and members (or the city admin)."""
    if scoping.changes_everything(user):
        return True
    if not _active(user) or user.org_unit is None:
        return False
    if user.role not in (Role.DISTRICT_EDITOR, Role.TEAM_MEMBER):
        return False
    return assignment.unit_id in _own_units(user)


# --- Documents --------------------------------------------------------------------------------

OwnerRule = tuple[Callable[[object, Model], bool], Callable[[object, Model], bool]]
_OWNER_RULES: dict[str, OwnerRule] = {}


def document_owner(
    model_label: str,
    *,
    sees: Callable[[object, Model], bool],
    changes: Callable[[object, Model], bool],
) -> None:
    """Register who sees and changes the documents of a model ("app_label.modelname").

    A model not registered here that has a ``project`` goes with its project (seen by whoever
    sees the project, changed by whoever changes it); any other owner is refused.
    """
    _OWNER_RULES[model_label.lower()] = (sees, changes)


def _project_of(owner: Model):
    from yinli.projects.models import Project

    if isinstance(owner, Project):
        return owner
    project = getattr(owner, "project", None)
    return project if isinstance(project, Project) else None


def sees_owner(user, owner: Model) -> bool:
    if not _active(user) or owner is None:
        return False
    rule = _OWNER_RULES.get(owner._meta.label_lower)
    if rule is not None:
        return rule[0](user, owner)
    project = _project_of(owner)
    return project is not None and scoping.can_see_project(user, project)


def changes_owner(user, owner: Model) -> bool:
    if not _active(user) or owner is None:
        return False
    rule = _OWNER_RULES.get(owner._meta.label_lower)
    if rule is not None:
        return rule[1](user, owner)
    project = _project_of(owner)
    return project is not None and scoping.can_change_project(user, project)


def _instruction_sees(user, instruction) -> bool:
    return visible_instructions(user, Instruction.objects.filter(pk=instruction.pk)).exists()


def _instruction_changes(user, instruction) -> bool:
    if not _instruction_sees(user, instruction):
        return False
    if may_close_instruction(user, instruction):
        return True
    return any(may_respond_for(user, a) for a in instruction.units.all())


def _obstacle_sees(user, obstacle) -> bool:
    return scoping.can_see_project(user, obstacle.project)


def _obstacle_changes(user, obstacle) -> bool:
    return _obstacle_sees(user, obstacle) and may_change_obstacles_of(user, obstacle.project)


document_owner("supervision.instruction", sees=_instruction_sees, changes=_instruction_changes)
document_owner("supervision.obstacle", sees=_obstacle_sees, changes=_obstacle_changes)

"""Panels of the supervision app (yinli.web.panels).

- On the project page: its obstacles (open, overdue, closed; raise one), its task force and the
  leaders' instructions on it, with the project's documents.
- On the home page: the projects of the task forces the user leads, sits on or is the linked
  leader of; and the obstacles past their deadline that she can see.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from yinli.web.panels import home_panel, project_panel

from . import scoping, selectors, services
from .forms import ObstacleForm
from .models import Instruction, Obstacle, ObstacleStatus, TaskForce

SHOWN = 8


@project_panel(order=20, name="obstacles")
def project_obstacles(request, project):
    user = request.user
    today = selectors.reference_day()
    obstacles = list(
        Obstacle.objects.filter(project=project)
        .select_related("department")
        .annotate(note_count=Count("notes"))
        .order_by("status", "deadline", "pk")
    )
    task_force = (
        TaskForce.objects.filter(project=project)
        .select_related("lead__org_unit", "linked_leader")
        .prefetch_related("members__org_unit")
        .first()
    )
    instructions = list(
        scoping.visible_instructions(user, Instruction.objects.filter(project=project))
        .prefetch_related("units__unit")
        .select_related("leader")
    )
    may_raise = scoping.may_change_obstacles_of(user, project) and not project.is_deleted
    return {
        "template": "supervision/_project_panel.html",
        "obstacles": obstacles,
        "counts": {
            "open": sum(1 for o in obstacles if o.is_open),
            "overdue": sum(1 for o in obstacles if o.is_overdue(today)),
            "closed": sum(1 for o in obstacles if not o.is_open),
        },
        "today": today,
        "may_raise": may_raise,
        "form": ObstacleForm(auto_id="raise_%s") if may_raise else None,
        "task_force": task_force,
        "may_change_task_force": scoping.may_change_task_force_of(user, project),
        "instructions": instructions,
        "may_issue": scoping.may_issue_instructions(user),
        "documents": selectors.documents_for(user=user, owner=project),
        "can_change_documents": scoping.changes_owner(user, project),
        "owner_type": ContentType.objects.get_for_model(project).pk,
    }


@home_panel(order=45, name="task-forces")
def my_task_forces(request):
    task_forces = list(
        selectors.task_forces_of(request.user).order_by("project__name")[: SHOWN + 1]
    )
    if not task_forces:
        return None
    today = selectors.reference_day()
    ids = [t.project_id for t in task_forces]
    counts = {
        row["project_id"]: row
        for row in Obstacle.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(
            open=Count("pk", filter=Q(status=ObstacleStatus.OPEN)),
            overdue=Count("pk", filter=selectors.overdue_q(today)),
        )
    }
    rows = [{"task_force": t, "counts": counts.get(t.project_id, {})} for t in task_forces]
    return {
        "template": "supervision/_home_task_forces.html",
        "rows": rows[:SHOWN],
        "more": len(rows) > SHOWN,
        "user_id": request.user.pk,
    }


@home_panel(order=46, name="overdue-obstacles")
def overdue_obstacles(request):
    today = selectors.reference_day()
    services.escalate_overdue(today=today)
    queryset = (
        scoping.visible_obstacles(request.user)
        .filter(selectors.overdue_q(today), project__deleted_at__isnull=True)
        .select_related("project", "department")
        .order_by("deadline", "pk")
    )
    items = list(queryset[: SHOWN + 1])
    if not items:
        return None
    total = queryset.count() if len(items) > SHOWN else len(items)
    return {
        "template": "supervision/_home_overdue.html",
        "items": items[:SHOWN],
        "total": total,
        "more": max(total - SHOWN, 0),
        "today": today,
    }

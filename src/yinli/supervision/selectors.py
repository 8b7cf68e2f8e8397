"""Reads of the supervision app; every one starts from supervision.scoping."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from . import scoping
from .models import (
    Department,
    Document,
    Instruction,
    InstructionStatus,
    InstructionUnit,
    Obstacle,
    ObstacleCategory,
    ObstacleStatus,
    TaskForce,
)


def reference_day() -> date:
    """Today, or the demo city's reference date (its pages open on its own days)."""
    from yinli.demo.services import is_demo_city

    if is_demo_city():
        return date.fromisoformat(getattr(settings, "DEMO_REFERENCE_DATE", "2025-08-10"))
    return timezone.localdate()


# --- Documents --------------------------------------------------------------------------------


def documents_for(*, user, owner: Model) -> QuerySet[Document]:
    """The live documents of a record, newest first; none when the user may not see it."""
    if owner is None or owner.pk is None or not scoping.sees_owner(user, owner):
        return Document.objects.none()
    return Document.objects.filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk
    ).select_related("created_by")


def visible_document(*, user, pk: int) -> Document | None:
    """A live document the user may fetch (its owner is in her scope), else None."""
    document = Document.objects.select_related("owner_type").filter(pk=pk).first()
    if document is None:
        return None
    owner = document.owner
    if owner is None or getattr(owner, "deleted_at", None) is not None:
        return None
    return document if scoping.sees_owner(user, owner) else None


# --- Obstacles --------------------------------------------------------------------------------


def overdue_q(today: date) -> Q:
    return Q(status=ObstacleStatus.OPEN, deadline__lt=today)


def obstacles_for_list(*, user, filters: dict | None = None, today: date) -> QuerySet[Obstacle]:
    """The user's obstacles narrowed by the list's filters (status, department, district,
    category, project, q)."""
    filters = filters or {}
    queryset = scoping.visible_obstacles(user).filter(project__deleted_at__isnull=True)
    status = filters.get("status")
    if status == "open":
        queryset = queryset.filter(status=ObstacleStatus.OPEN)
    elif status == "closed":
        queryset = queryset.filter(status=ObstacleStatus.CLOSED)
    elif status == "overdue":
        queryset = queryset.filter(overdue_q(today))
    if filters.get("department"):
        queryset = queryset.filter(department_id=filters["department"])
    if filters.get("district"):
        queryset = queryset.filter(project__district_id=filters["district"])
    if filters.get("category"):
        queryset = queryset.filter(category=filters["category"])
    if filters.get("project"):
        queryset = queryset.filter(project_id=filters["project"])
    if filters.get("q"):
        text = filters["q"].strip()
        queryset = queryset.filter(Q(title__icontains=text) | Q(project__name__icontains=text))
    return queryset


def _counts(today: date) -> dict:
    return {
        "open": Count("pk", filter=Q(status=ObstacleStatus.OPEN)),
        "closed": Count("pk", filter=Q(status=ObstacleStatus.CLOSED)),
        "overdue": Count("pk", filter=overdue_q(today)),
        "total": Count("pk"),
    }


def obstacle_totals(queryset: QuerySet[Obstacle], *, today: date) -> dict:
    return queryset.order_by().aggregate(**_counts(today))


GROUPINGS = {
    "department": ("department_id", "department__name", "department__sort_order"),
    "district": (
        "project__district_id",
        "project__district__name",
        "project__district__sort_order",
    ),
    "category": ("category", "category", "category"),
}


def obstacle_counts(queryset: QuerySet[Obstacle], *, by: str, today: date) -> list[dict]:
    """Open, closed and overdue obstacles per department, district or category (one query)."""
    key, name, order = GROUPINGS[by]
    rows = (
        queryset.order_by().values(key, name, order).annotate(**_counts(today)).order_by(order, key)
    )
    labels = dict(ObstacleCategory.choices)
    result = []
    for row in rows:
        label = labels.get(row[name], row[name]) if by == "category" else row[name]
        result.append(
            {
                "key": row[key],
                "name": str(label),
                "open": row["open"],
                "closed": row["closed"],
                "overdue": row["overdue"],
                "total": row["total"],
            }
        )
    return result


def departments() -> QuerySet[Department]:
    return Department.objects.filter(active=True)


# --- Task forces ------------------------------------------------------------------------------


def task_forces_of(user) -> QuerySet[TaskForce]:
    """The task forces a user leads, sits on or is the linked leader of (live projects)."""
    if not (user and user.is_authenticated):
        return TaskForce.objects.none()
    return (
        TaskForce.objects.filter(Q(lead=user) | Q(members=user) | Q(linked_leader=user))
        .filter(project__deleted_at__isnull=True)
        .distinct()
        .select_related("project__district", "lead", "linked_leader")
    )


# --- Instructions -----------------------------------------------------------------------------


def instructions_for_list(
    *, user, filters: dict | None = None, today: date
) -> QuerySet[Instruction]:
    filters = filters or {}
    queryset = scoping.visible_instructions(user)
    status = filters.get("status")
    if status == "open":
        queryset = queryset.filter(status=InstructionStatus.OPEN)
    elif status == "done":
        queryset = queryset.filter(status=InstructionStatus.DONE)
    elif status == "overdue":
        queryset = queryset.filter(status=InstructionStatus.OPEN, deadline__lt=today)
    if filters.get("project"):
        queryset = queryset.filter(project_id=filters["project"])
    return queryset.select_related("project", "leader").prefetch_related("units__unit")


def instruction_totals(queryset: QuerySet[Instruction], *, today: date) -> dict:
    return queryset.order_by().aggregate(
        open=Count("pk", filter=Q(status=InstructionStatus.OPEN)),
        done=Count("pk", filter=Q(status=InstructionStatus.DONE)),
        overdue=Count("pk", filter=Q(status=InstructionStatus.OPEN, deadline__lt=today)),
    )


def pending_units(instruction: Instruction) -> list[InstructionUnit]:
    return [a for a in instruction.units.all() if a.responded_at is None]

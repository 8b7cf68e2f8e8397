"""Reading the import history, scoped like everything else.

A district's people see the imports into their district (and their own); city roles see every
import. Possible duplicates are told as the persona rule of 撞车 allows (see
``companies/duplicates.py``): a record the user may see is shown (district, name, stage, date),
one she may not is only said to exist, with its district.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.projects.models import Project, Stage

from .models import BatchStatus, ImportBatch, ImportChange
from .values import normalize_project_name


def visible_batches(user, queryset: QuerySet | None = None) -> QuerySet:
    """The imports (whole files, not the chunks of a bulk import) the user may see."""
    queryset = (
        ImportBatch.objects.filter(parent__isnull=True) if queryset is None else queryset
    ).select_related("user", "district", "undone_by")
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if scoping.sees_everything(user):
        return queryset
    condition = Q(user_id=user.pk)
    unit = user.org_unit
    if unit is not None and unit.district_id:
        condition |= Q(district_id=unit.district_id)
    return queryset.filter(condition)


def may_undo(user, batch: ImportBatch) -> bool:
    """Whether the engine would let ``user`` undo ``batch`` (it checks again)."""
    if batch.status not in (BatchStatus.COMMITTED, BatchStatus.PARTIAL) or batch.parent_id:
        return False
    if scoping.changes_everything(user):
        return True
    if batch.user_id == user.pk:
        return True
    return bool(
        batch.district_id
        and scoping.districts_for_entry(user).filter(pk=batch.district_id).exists()
    )


def batch_family(batch: ImportBatch) -> list[ImportBatch]:
    return [batch, *batch.chunks.all()]


def created_project_ids(batch: ImportBatch) -> list[int]:
    return [pk for b in batch_family(batch) for pk in b.created_ids.get("projects.project", [])]


def updated_project_ids(batch: ImportBatch) -> list[int]:
    return list(
        ImportChange.objects.filter(batch__in=batch_family(batch), model="projects.project")
        .order_by("row", "id")
        .values_list("object_id", flat=True)
    )


def _warning_text(entry: dict, project: Project, visible: bool) -> str:
    """The warning as the project form words it: "该投资方已在X区有项目（负责单位、阶段、日期）"."""
    unit = project.responsible_unit
    on = project.stage_on or project.first_signed_on or timezone.localdate(project.created_at)
    params = {
        "district": project.district.display_name if project.district_id else "",
        "unit": unit.display_name if unit is not None else "—",
        "stage": Stage(project.stage).label,
        "date": on.isoformat(),
        "project": project.name,
    }
    if entry.get("kind") == "name":
        if visible:
            text = _(
                "A project of the same name is in %(district)s: “%(project)s” (responsible unit "
                "%(unit)s, stage %(stage)s, %(date)s)."
            )
        else:
            text = _(
                "A project of the same name is in %(district)s (responsible unit %(unit)s, "
                "stage %(stage)s, %(date)s)."
            )
    elif visible:
        text = _(
            "This investor already has a project in %(district)s: “%(project)s” "
            "(responsible unit %(unit)s, stage %(stage)s, %(date)s)."
        )
    else:
        text = _(
            "This investor already has a project in %(district)s "
            "(responsible unit %(unit)s, stage %(stage)s, %(date)s)."
        )
    return text % params


def describe_duplicates(user, duplicates: list[dict], row_names: dict[int, str] | None = None):
    """The import's possible duplicates as the user may learn of them.

    Each entry: ``row``, ``project_id``, ``district`` (the other record's), ``visible`` and
    ``message`` (the warning: district, responsible unit, stage, date); when visible also
    ``project`` (to link), ``name``, ``stage``, ``on`` and the engine's ``reason``; when not,
    ``same_name`` (the ledger's row has the other record's name) — never the record itself.
    """
    ids = {d["project_id"] for d in duplicates if d.get("project_id")}
    projects = Project.objects.select_related("district", "responsible_unit").in_bulk(ids)
    visible = set(
        scoping.visible_projects(user, Project.objects.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
    row_names = row_names or {}
    described = []
    for entry in duplicates:
        project = projects.get(entry.get("project_id"))
        if project is None:
            continue  # deleted since
        item = {
            "row": entry.get("row"),
            "project_id": project.pk,
            "district": project.district.display_name if project.district_id else "",
            "visible": project.pk in visible,
            "message": _warning_text(entry, project, project.pk in visible),
        }
        if item["visible"]:
            item.update(
                project=project,
                name=project.name,
                stage=Stage(project.stage).label,
                on=project.stage_on or project.first_signed_on,
                reason=entry.get("reason", ""),
            )
        else:
            name = row_names.get(entry.get("row"))
            item["same_name"] = bool(name) and normalize_project_name(
                name
            ) == normalize_project_name(project.name)
        described.append(item)
    return described

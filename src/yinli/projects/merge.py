"""Merging two projects (项目合并): the duplicate's records move to the kept one; it stays, merged.

Moves the stage log, funds in place, claims and every other record that points at the project
(found from the models, see :func:`yinli.companies.merge.move_references`); adds the
duplicate's strategic tags and notes to the kept project. The duplicate gets ``merged_into``
and leaves every list and figure (stats.selectors counts unmerged projects only). The
:class:`~yinli.projects.models.ProjectMerge` lists exactly what moved, so
:func:`project_unmerge` reverses it. Conflicts stay with the projects they named.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.companies.merge import _references, _rows, may_merge, move_references
from yinli.companies.merge import restore_references as _restore
from yinli.core.services import PermissionDeniedError, save_tracked
from yinli.reporting.locks import check_project_write as check_locked_periods

from .models import Conflict, Project, ProjectMerge

__all__ = ["may_merge", "merge_preview", "project_merge", "project_unmerge"]

_SKIP = (Conflict, ProjectMerge)


def merge_preview(*, kept: Project, merged: Project) -> dict[str, int]:
    """How many records of each kind would move (verbose name → count)."""
    preview: dict[str, int] = {}
    for model, field, _through in _references(Project, skip=_SKIP):
        count = _rows(model).filter(**{field: merged}).count()
        if count:
            name = str(model._meta.verbose_name_plural)
            preview[name] = preview.get(name, 0) + count
    tags = merged.tags.exclude(pk__in=kept.tags.values("pk")).count()
    if tags:
        preview[str(Project._meta.get_field("tags").verbose_name)] = tags
    return preview


def _check(kept: Project, merged: Project) -> None:
    if kept.pk == merged.pk:
        raise ValidationError(_("A project cannot be merged into itself."), code="same")
    if merged.merged_into_id:
        raise ValidationError(
            _("“%(name)s” is already merged into another project.") % {"name": merged.name},
            code="merged",
        )
    if kept.merged_into_id:
        raise ValidationError(
            _("“%(name)s” is itself merged into another project; merge into that one.")
            % {"name": kept.name},
            code="merged",
        )
    if kept.is_deleted or merged.is_deleted:
        raise ValidationError(_("Restore the deleted project first."), code="deleted")


@transaction.atomic
def project_merge(
    *, kept: Project, merged: Project, by, reason: str = "", check_permission: bool = True
) -> ProjectMerge:
    """Merge ``merged`` into ``kept`` (city roles only; a conflict ruling calls it too)."""
    if check_permission and not may_merge(by):
        raise PermissionDeniedError(_("Only the city may merge projects."))
    kept = Project.all_objects.select_for_update().get(pk=kept.pk)
    merged = Project.all_objects.select_for_update().get(pk=merged.pk)
    _check(kept, merged)
    check_locked_periods(project=merged, by=by, action="merge")  # 定版锁库 (reporting)
    moved = move_references(source=merged, target=kept, skip=_SKIP)
    before = {"notes": kept.notes, "tags_added": []}
    added = list(merged.tags.exclude(pk__in=kept.tags.values("pk")).values_list("pk", flat=True))
    if added:
        kept.tags.add(*added)
        before["tags_added"] = added
    if merged.notes.strip():
        kept.notes = (
            kept.notes.rstrip()
            + ("\n\n" if kept.notes.strip() else "")
            + _("[Merged from “%(name)s”] %(notes)s") % {"name": merged.name, "notes": merged.notes}
        ).strip()
        kept._change_reason = "merge"
        save_tracked(instance=kept, by=by)
    record = ProjectMerge.objects.create(
        kept=kept,
        merged=merged,
        moved=moved,
        kept_before=before,
        reason=(reason or "").strip()[:300],
        by=by,
    )
    merged.refresh_from_db()
    merged.merged_into = kept
    merged._change_reason = "merge"
    save_tracked(instance=merged, by=by)
    return record


@transaction.atomic
def project_unmerge(*, record: ProjectMerge, by, check_permission: bool = True) -> ProjectMerge:
    """Reverse a merge exactly: moved rows go back, the kept project's notes and tags too."""
    if check_permission and not may_merge(by):
        raise PermissionDeniedError(_("Only the city may undo a merge."))
    record = ProjectMerge.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise ValidationError(_("This merge has already been undone."), code="undone")
    later = ProjectMerge.objects.filter(
        merged_id=record.kept_id, undone_at__isnull=True, at__gt=record.at
    ).exists()
    if later:
        raise ValidationError(
            _("The kept project was merged again afterwards; undo that merge first."),
            code="later_merge",
        )
    kept = Project.all_objects.get(pk=record.kept_id)
    merged = Project.all_objects.get(pk=record.merged_id)
    check_locked_periods(project=merged, by=by, action="unmerge")  # 定版锁库 (reporting)
    _restore(moved=record.moved, source=merged, target=kept)
    before = record.kept_before or {}
    if before.get("tags_added"):
        kept.tags.remove(*before["tags_added"])
    kept.refresh_from_db()
    if "notes" in before and kept.notes != before["notes"]:
        kept.notes = before["notes"]
        kept._change_reason = "unmerge"
        save_tracked(instance=kept, by=by)
    merged.refresh_from_db()
    merged.merged_into = None
    merged._change_reason = "unmerge"
    save_tracked(instance=merged, by=by)
    record.undone_at = timezone.now()
    record.undone_by = by
    record.save(update_fields=["undone_at", "undone_by"])
    return record


def open_merge_of(project: Project) -> ProjectMerge | None:
    """The merge (not undone) that merged ``project`` into another."""
    return ProjectMerge.objects.filter(merged=project, undone_at__isnull=True).first()

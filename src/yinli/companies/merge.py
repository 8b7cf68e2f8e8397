"""Merging two companies (企业合并): every record that points at the merged one moves to the kept one.

What moved is listed row by row in a :class:`~yinli.companies.models.CompanyMerge`, so that
:func:`company_unmerge` moves exactly those rows back. "Every record" is found from the models
themselves (every foreign key and many-to-many relation to Company, in any app, present or
future), not from a list kept by hand; the change history (simple_history) and merge records
are left as they were.

:func:`move_references` and :func:`restore_references` are shared with the project merge.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core.models import Tracked
from yinli.core.services import PermissionDeniedError, save_tracked

from .models import Company, CompanyMerge

Moved = dict[str, list]


def _is_history(model) -> bool:
    return model.__name__.startswith("Historical") or model._meta.app_label == "simple_history"


def _references(model, *, skip: tuple = ()) -> list[tuple[type[models.Model], str, bool]]:
    """(model, field name, through-table?) of every relation that points at ``model``."""
    found = []
    for relation in model._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        related = relation.related_model
        if related is None or _is_history(related) or related in skip:
            continue
        if relation.one_to_many and related._meta.auto_created:
            continue  # the through table of a many-to-many relation, handled below or aside
        if relation.many_to_many:
            through = relation.through
            for field in through._meta.fields:
                if field.is_relation and field.related_model is model:
                    found.append((through, field.name, True))
        elif relation.one_to_many or relation.one_to_one:
            # Records merged into the merged one earlier keep pointing at it (their own merge
            # record names it; duplicate checks follow the chain).
            if relation.related_model is model and relation.field.name == "merged_into":
                continue
            found.append((relation.related_model, relation.field.name, False))
    # Forward many-to-many fields of the model itself (a project's tags) are handled by the
    # project merge; the through tables of relations declared on other models are above.
    return found


def _one_to_one(model, field: str) -> bool:
    return model._meta.get_field(field).one_to_one


def _label(model, field: str) -> str:
    return f"{model._meta.label_lower}.{field}"


def _rows(model):
    return model._base_manager if hasattr(model, "_base_manager") else model.objects


def move_references(*, source, target, skip: tuple = ()) -> Moved:
    """Point every reference to ``source`` at ``target``; the rows moved, by relation."""
    moved: Moved = {}
    for model, field, through in _references(type(source), skip=skip):
        rows = _rows(model).filter(**{field: source})
        if through:
            # A link the target already has stays with the source (a unique pair).
            others = [f for f in model._meta.fields if f.is_relation and f.name != field]
            if others:
                other = others[0].name
                taken = _rows(model).filter(**{field: target}).values(f"{other}_id")
                rows = rows.exclude(**{f"{other}_id__in": taken})
        elif _one_to_one(model, field) and _rows(model).filter(**{field: target}).exists():
            continue  # the target has its own (a registry profile): the source keeps its one
        pks = list(rows.values_list("pk", flat=True))
        if not pks:
            continue
        changes = {field: target}
        if issubclass(model, Tracked):
            changes.update(version=F("version") + 1, updated_at=timezone.now())
        _rows(model).filter(pk__in=pks).update(**changes)
        moved[_label(model, field)] = pks
    return moved


def restore_references(*, moved: Moved, source, target) -> int:
    """Move the rows listed in ``moved`` back from ``target`` to ``source``; how many moved."""
    count = 0
    for label, pks in moved.items():
        model_label, field = label.rsplit(".", 1)
        model = apps.get_model(model_label)
        changes = {field: source}
        if issubclass(model, Tracked):
            changes.update(version=F("version") + 1, updated_at=timezone.now())
        count += _rows(model).filter(pk__in=pks, **{field: target}).update(**changes)
    return count


def may_merge(user) -> bool:
    """Merges are the city's: its administrators and analysts (投资促进处)."""
    return bool(user and user.is_authenticated and user.is_active and user.is_city_role)


def merge_preview(*, kept: Company, merged: Company) -> dict[str, int]:
    """How many records of each kind would move (verbose name → count)."""
    preview: dict[str, int] = {}
    for model, field, _through in _references(Company, skip=(CompanyMerge,)):
        count = _rows(model).filter(**{field: merged}).count()
        if count:
            name = str(model._meta.verbose_name_plural)
            if model is Company:
                name = str(model._meta.get_field(field).verbose_name)
            preview[name] = preview.get(name, 0) + count
    return preview


def _check(kept: Company, merged: Company) -> None:
    if kept.pk == merged.pk:
        raise ValidationError(_("A company cannot be merged into itself."), code="same")
    if merged.merged_into_id:
        raise ValidationError(
            _("“%(name)s” is already merged into another company.") % {"name": merged.name},
            code="merged",
        )
    if kept.merged_into_id:
        raise ValidationError(
            _("“%(name)s” is itself merged into another company; merge into that one.")
            % {"name": kept.name},
            code="merged",
        )
    if kept.is_deleted or merged.is_deleted:
        raise ValidationError(_("Restore the deleted company first."), code="deleted")


@transaction.atomic
def company_merge(*, kept: Company, merged: Company, by, reason: str = "") -> CompanyMerge:
    """Move every record of ``merged`` to ``kept``; ``merged`` stays, pointing at ``kept``."""
    if not may_merge(by):
        raise PermissionDeniedError(_("Only the city may merge companies."))
    kept = Company.all_objects.select_for_update().get(pk=kept.pk)
    merged = Company.all_objects.select_for_update().get(pk=merged.pk)
    _check(kept, merged)
    moved = move_references(source=merged, target=kept, skip=(CompanyMerge,))
    record = CompanyMerge.objects.create(
        kept=kept, merged=merged, moved=moved, reason=(reason or "").strip()[:300], by=by
    )
    merged.refresh_from_db()
    merged.merged_into = kept
    merged._change_reason = "merge"
    save_tracked(instance=merged, by=by)
    return record


@transaction.atomic
def company_unmerge(*, record: CompanyMerge, by) -> CompanyMerge:
    """Reverse a merge exactly: the rows it moved go back; the merged company stands alone."""
    if not may_merge(by):
        raise PermissionDeniedError(_("Only the city may undo a merge."))
    record = CompanyMerge.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise ValidationError(_("This merge has already been undone."), code="undone")
    later = CompanyMerge.objects.filter(
        merged=record.kept, undone_at__isnull=True, at__gt=record.at
    ).first()
    if later is not None:
        raise ValidationError(
            _("“%(name)s” was merged again afterwards; undo that merge first.")
            % {"name": record.kept.name},
            code="later_merge",
        )
    restore_references(moved=record.moved, source=record.merged, target=record.kept)
    merged = Company.all_objects.get(pk=record.merged_id)
    merged.merged_into = None
    merged._change_reason = "unmerge"
    save_tracked(instance=merged, by=by)
    record.undone_at = timezone.now()
    record.undone_by = by
    record.save(update_fields=["undone_at", "undone_by"])
    return record


def open_merge_of(company: Company) -> CompanyMerge | None:
    """The merge (not undone) that merged ``company`` into another."""
    return CompanyMerge.objects.filter(merged=company, undone_at__isnull=True).first()

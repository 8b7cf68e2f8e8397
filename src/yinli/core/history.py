"""Change records (变更记录) as people read them: who, when, what, and each field before → after.

simple_history keeps one typed row per save. This module pairs each row with the row before it
for the same object and turns the difference into labelled, human values: a foreign key shows
the related record's name, a choice its label, a soft delete or a restore says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_m2m_reverse_field_name

# Bookkeeping columns, not facts about the record.
IGNORED_FIELDS = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "deleted_at",
    "name_initials",
    "name_normalized",
}

ACTION_LABELS = {
    "create": _("Created"),
    "update": _("Changed"),
    "delete": _("Deleted"),
    "restore": _("Restored"),
    "stage": _("Stage changed"),
    "status": _("Status changed"),
    "purge": _("Removed permanently"),
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    user_id: int | None
    action: str
    object_id: int
    object_name: str
    changes: list[FieldChange] = field(default_factory=list)
    history_id: int | None = None

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def changed_labels(self) -> list[str]:
        return [change.label for change in self.changes]


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in IGNORED_FIELDS and not f.name.startswith("history_")
    ]


def _m2m_fields(history_model) -> list:
    return list(getattr(history_model, "_history_m2m_fields", []) or [])


def _plain(value: Any, model_field: models.Field | None = None) -> str:
    if value is None or value == "":
        return ""
    if model_field is not None and model_field.choices:
        labels = {str(k): str(v) for k, v in model_field.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _default(model_field: models.Field):
    return model_field.get_default() if model_field.has_default() else None


def _related_names(model_field: models.ForeignKey, ids: set[int]) -> dict[int, str]:
    from .models import Region

    related = model_field.related_model
    queryset = related._base_manager.all()
    if related is Region:
        queryset = queryset.select_related("city__province", "province", "parent")
    return {pk: str(obj) for pk, obj in queryset.in_bulk(list(ids)).items()}


def _user_label(user) -> str:
    if user is None:
        return str(_("system"))
    return user.display_name or user.username


def _action(record, previous) -> str:
    if record.history_type == "+":
        return "create"
    if record.history_type == "-":
        return "purge"
    was_deleted = previous is not None and getattr(previous, "deleted_at", None) is not None
    is_deleted = getattr(record, "deleted_at", None) is not None
    if is_deleted and not was_deleted:
        return "delete"
    if was_deleted and not is_deleted:
        return "restore"
    reason = (record.history_change_reason or "").strip()
    if reason in ("stage", "status", "delete", "restore"):
        return reason
    return "update"


def entries_from_records(records, *, with_changes: bool = True) -> list[HistoryEntry]:
    """Readable entries for historical rows of one model (any objects), newest first as given.

    Each row is compared with the row before it for the same object; the previous rows, the
    related names and the users are loaded in a fixed number of queries.
    """
    records = list(records)
    if not records:
        return []
    history_model = type(records[0])
    model = history_model.instance_type
    kept = {f.name for f in history_model._meta.concrete_fields}
    fields = [f for f in _tracked_fields(model) if f.name in kept]  # not excluded_fields
    m2m_fields = _m2m_fields(history_model)

    previous_by_id: dict[int, Any] = {}
    if with_changes:
        annotated = history_model.objects.filter(
            history_id__in=[r.history_id for r in records]
        ).annotate(
            _prev=Subquery(
                history_model.objects.filter(
                    id=OuterRef("id"), history_id__lt=OuterRef("history_id")
                )
                .order_by("-history_id")
                .values("history_id")[:1]
            )
        )
        previous_ids = dict(annotated.values_list("history_id", "_prev"))
        known = {r.history_id: r for r in records}
        wanted = {prev for prev in previous_ids.values() if prev and prev not in known}
        if wanted:
            known.update(history_model.objects.in_bulk(list(wanted)))
        previous_by_id = {
            hid: known[prev] for hid, prev in previous_ids.items() if prev and prev in known
        }

    record_ids = {r.history_id for r in records}
    all_rows = records + [
        p
        for p in {p.history_id: p for p in previous_by_id.values()}.values()
        if p.history_id not in record_ids
    ]

    # Related names for every foreign-key value that appears, one query per related model.
    fk_ids: dict[str, set[int]] = defaultdict(set)
    fk_fields = [f for f in fields if isinstance(f, models.ForeignKey)]
    if with_changes:
        for row in all_rows:
            for f in fk_fields:
                value = getattr(row, f.attname)
                if value is not None:
                    fk_ids[f.name].add(value)
    fk_names = {f.name: _related_names(f, fk_ids[f.name]) for f in fk_fields if fk_ids[f.name]}

    # Many-to-many values (strategic tags) per historical row, one query per field.
    m2m_values: dict[str, dict[int, list[str]]] = {}
    if with_changes and m2m_fields:
        for m2m in m2m_fields:
            manager = getattr(records[0], m2m.name)
            through = manager.model
            reverse = get_m2m_reverse_field_name(m2m)
            rows = through.objects.filter(
                history_id__in=[r.history_id for r in all_rows]
            ).values_list("history_id", reverse)
            names = {
                pk: str(obj)
                for pk, obj in m2m.related_model._base_manager.in_bulk(
                    [target for _h, target in rows]
                ).items()
            }
            per_row: dict[int, list[str]] = defaultdict(list)
            for history_id, target in rows:
                per_row[history_id].append(names.get(target, str(target)))
            m2m_values[m2m.name] = {k: sorted(v) for k, v in per_row.items()}

    def shown(row, f) -> str:
        value = getattr(row, f.attname)
        if isinstance(f, models.ForeignKey):
            if value is None:
                return ""
            return fk_names.get(f.name, {}).get(value, f"#{value}")
        return _plain(value, f)

    user_ids = {r.history_user_id for r in records if r.history_user_id}
    users = {}
    if user_ids:
        from django.contrib.auth import get_user_model

        users = get_user_model()._base_manager.in_bulk(list(user_ids))

    entries = []
    for record in records:
        previous = previous_by_id.get(record.history_id)
        changes: list[FieldChange] = []
        if with_changes and record.history_type != "-":
            for f in fields:
                if previous is None and getattr(record, f.attname) == _default(f):
                    continue  # a new record's untouched defaults say nothing
                after = shown(record, f)
                before = shown(previous, f) if previous is not None else ""
                if before != after:
                    changes.append(FieldChange(f.name, str(f.verbose_name), before, after))
            for m2m in m2m_fields:
                after_list = m2m_values.get(m2m.name, {}).get(record.history_id, [])
                before_list = (
                    m2m_values.get(m2m.name, {}).get(previous.history_id, [])
                    if previous is not None
                    else []
                )
                if before_list != after_list:
                    changes.append(
                        FieldChange(
                            m2m.name,
                            str(m2m.verbose_name),
                            "、".join(before_list),
                            "、".join(after_list),
                        )
                    )
        action = _action(record, previous)
        if with_changes and action == "update" and not changes:
            continue  # a save that changed nothing (or only bookkeeping)
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=_user_label(users.get(record.history_user_id)),
                user_id=record.history_user_id,
                action=action,
                object_id=record.id,
                object_name=str(getattr(record, "name", "") or record.id),
                changes=changes,
                history_id=record.history_id,
            )
        )
    return entries


def object_history(instance, *, limit: int | None = None) -> list[HistoryEntry]:
    """Every recorded change of one object, newest first."""
    records = instance.history.select_related(None).order_by("-history_date", "-history_id")
    if limit:
        records = records[:limit]
    return entries_from_records(records)

"""Writes shared by every tracked record: optimistic versions, soft delete and restore."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Tracked


class StaleWriteError(ValidationError):
    """Someone else saved the record after the version this write was based on."""

    def __init__(self, *, current_version: int, based_on: int):
        self.current_version = current_version
        self.based_on = based_on
        super().__init__(
            _(
                "This record was changed by someone else after you opened it (your version "
                "%(based_on)s, now %(current)s). Reload it and make your change again."
            )
            % {"based_on": based_on, "current": current_version},
            code="stale",
        )


class PermissionDeniedError(ValidationError):
    def __init__(self, message: str | None = None):
        super().__init__(message or _("You may not change this record."), code="forbidden")


@transaction.atomic
def save_tracked(*, instance: Tracked, by, expected_version: int | None = None) -> Tracked:
    """Save a tracked record, refusing a write based on a stale version.

    The row is locked while its version is compared (select_for_update on PostgreSQL; SQLite
    serialises writers with BEGIN IMMEDIATE), so two people saving at once cannot both win.
    """
    model = type(instance)
    now = timezone.now()
    if instance.pk:
        current = (
            model.all_objects.select_for_update()
            .filter(pk=instance.pk)
            .values_list("version", flat=True)
        ).first()
        if current is None:
            raise ValidationError(_("The record no longer exists."), code="missing")
        if expected_version is not None and int(expected_version) != current:
            raise StaleWriteError(current_version=current, based_on=int(expected_version))
        instance.version = current + 1
    else:
        instance.version = 1
        instance.created_at = now
        if by is not None and getattr(by, "pk", None):
            instance.created_by = by
    instance.updated_at = now
    if by is not None and getattr(by, "pk", None):
        instance._history_user = by
    instance.save()
    return instance


def soft_delete(*, instance: Tracked, by, expected_version: int | None = None) -> Tracked:
    if instance.deleted_at is not None:
        raise ValidationError(_("The record is already deleted."), code="deleted")
    instance.deleted_at = timezone.now()
    instance._change_reason = "delete"
    return save_tracked(instance=instance, by=by, expected_version=expected_version)


def restore(*, instance: Tracked, by, expected_version: int | None = None) -> Tracked:
    if instance.deleted_at is None:
        raise ValidationError(_("The record is not deleted."), code="not_deleted")
    instance.deleted_at = None
    instance._change_reason = "restore"
    return save_tracked(instance=instance, by=by, expected_version=expected_version)

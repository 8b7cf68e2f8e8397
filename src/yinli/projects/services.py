"""Writes on projects: create, update, stage, status, delete. Views, API and CLI call these."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.services import PermissionDeniedError, restore, save_tracked, soft_delete
from yinli.reporting.locks import check_project_write as check_locked_periods

from .claims import claim_for_new_project
from .models import Project, Stage, StageChange, Status, stage_rank
from .rules import incomplete_fields

# Fields a plain update may set; stage, status and first_signed_on have their own services.
EDITABLE_FIELDS = {
    "name",
    "company",
    "signing_region",
    "controller_name",
    "controller_region",
    "district",
    "responsible_unit",
    "responsible_person",
    "first_contact",
    "task_force",
    "linked_leader",
    "channel",
    "introducer",
    "event",
    "industry",
    "agreement",
    "kind",
    "category",
    "total_investment",
    "foreign_investment",
    "foreign_currency",
    "land_mu",
    "expected_output",
    "expected_tax",
    "jobs",
    "fai_code",
    "fai_on",
    "notes",
}


def _check_district(*, user, district) -> None:
    if district is None:
        raise ValidationError({"district": _("Choose the district the project lands in.")})
    if not scoping.districts_for_entry(user).filter(pk=district.pk).exists():
        raise PermissionDeniedError(
            _("You may not file projects under %(district)s.") % {"district": district}
        )


def _validate(project: Project) -> None:
    project.full_clean(exclude=["tags", "created_by"])
    if project.total_investment is not None and project.total_investment < 0:
        raise ValidationError({"total_investment": _("Total investment cannot be negative.")})
    if project.foreign_investment is not None and project.foreign_investment < 0:
        raise ValidationError(
            {"foreign_investment": _("Agreed foreign investment cannot be negative.")}
        )


def _check_stage_requirements(project: Project, stage: str) -> None:
    missing = incomplete_fields(project, stage)
    if missing:
        raise ValidationError(
            _("To reach %(stage)s the project still needs: %(fields)s.")
            % {
                "stage": Stage(stage).label,
                "fields": "、".join(str(req.label) for req in missing),
            },
            code="incomplete",
        )


@transaction.atomic
def project_create(
    *,
    data: dict[str, Any],
    by,
    stage: str = Stage.LEAD,
    stage_on: date | None = None,
    tags=None,
) -> Project:
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    project = Project(**data)
    _check_district(user=by, district=project.district)
    if (
        project.responsible_unit_id
        and not scoping.units_for_entry(by).filter(pk=project.responsible_unit_id).exists()
    ):
        raise PermissionDeniedError(
            _("You may not name %(unit)s as the responsible unit.")
            % {"unit": project.responsible_unit}
        )
    stage_on = stage_on or timezone.localdate()
    project.stage = stage
    project.stage_on = stage_on
    if stage_rank(stage) >= stage_rank(Stage.SIGNED):
        _check_stage_requirements(project, stage)
        project.first_signed_on = stage_on
    else:
        _check_stage_requirements(project, Stage.LEAD)
    _validate(project)
    save_tracked(instance=project, by=by)
    check_locked_periods(project=project, by=by, action="create")  # 定版锁库 (reporting)
    if tags:
        project.tags.set(tags)
    StageChange.objects.create(project=project, stage=stage, on=stage_on, by=by)
    # 首报首谈: the unit that enters a project holds the first claim on it.
    claim_for_new_project(project=project, by=by)
    return project


@transaction.atomic
def project_update(
    *, project: Project, data: dict[str, Any], version: int, by, tags=None
) -> Project:
    if not scoping.can_change_project(by, project):
        raise PermissionDeniedError()
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if "district" in data and data["district"] != project.district:
        _check_district(user=by, district=data["district"])
    for field, value in data.items():
        setattr(project, field, value)
    # A project that stands at or past 签约 must keep what that stage needs.
    _check_stage_requirements(project, project.stage)
    _validate(project)
    check_locked_periods(project=project, by=by, action="update")  # 定版锁库 (reporting)
    save_tracked(instance=project, by=by, expected_version=version)
    if tags is not None:
        project.tags.set(tags)
    return project


@transaction.atomic
def project_advance_stage(
    *, project: Project, stage: str, on: date, by, version: int, note: str = ""
) -> Project:
    """Move a project to `stage` on date `on`, logging it.

    Forward moves only, unless a city admin corrects a mistake. The first formal signing sets
    `first_signed_on`, which never moves afterwards: the figures count a project there.
    """
    if not scoping.can_change_project(by, project):
        raise PermissionDeniedError()
    if stage not in Stage.values:
        raise ValidationError(_("Unknown stage %(stage)s.") % {"stage": stage})
    if stage == project.stage:
        raise ValidationError(_("The project is already at this stage."), code="same_stage")
    backwards = stage_rank(stage) < stage_rank(project.stage)
    if backwards and not scoping.changes_everything(by):
        raise ValidationError(
            _("A stage cannot go back; ask a city administrator to correct it."), code="backwards"
        )
    if on > timezone.localdate():
        raise ValidationError(_("A stage cannot be reached in the future (%(on)s).") % {"on": on})
    if project.stage_on and on < project.stage_on and not backwards:
        raise ValidationError(
            _("%(on)s is before the date of the current stage (%(current)s).")
            % {"on": on, "current": project.stage_on}
        )
    _check_stage_requirements(project, stage)
    check_locked_periods(project=project, by=by, action="stage", stage=stage, on=on)
    project.stage = stage
    project.stage_on = on
    if stage_rank(stage) >= stage_rank(Stage.SIGNED) and project.first_signed_on is None:
        project.first_signed_on = on
    project._change_reason = "stage"
    save_tracked(instance=project, by=by, expected_version=version)
    StageChange.objects.create(project=project, stage=stage, on=on, by=by, note=note)
    return project


@transaction.atomic
def project_set_status(
    *, project: Project, status: str, reason: str, by, version: int, lost_to=None
) -> Project:
    if not scoping.can_change_project(by, project):
        raise PermissionDeniedError()
    if status not in Status.values:
        raise ValidationError(_("Unknown status %(status)s.") % {"status": status})
    reason = (reason or "").strip()
    if status != Status.ACTIVE and not reason:
        raise ValidationError({"status_reason": _("Give the reason for this status.")})
    if status == Status.LOST and lost_to is None:
        raise ValidationError({"lost_to": _("Say where the project went (a city or country).")})
    project.status = status
    project.status_reason = reason
    project.lost_to = lost_to if status == Status.LOST else None
    project._change_reason = "status"
    return save_tracked(instance=project, by=by, expected_version=version)


def project_delete(*, project: Project, by, version: int) -> Project:
    if not scoping.can_change_project(by, project):
        raise PermissionDeniedError()
    check_locked_periods(project=project, by=by, action="delete")  # 定版锁库 (reporting)
    return soft_delete(instance=project, by=by, expected_version=version)


def project_restore(*, project: Project, by, version: int | None = None) -> Project:
    if not scoping.can_change_project(by, project):
        raise PermissionDeniedError()
    check_locked_periods(project=project, by=by, action="restore")  # 定版锁库 (reporting)
    return restore(instance=project, by=by, expected_version=version)

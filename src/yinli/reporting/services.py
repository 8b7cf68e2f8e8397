"""Writes of the report cycle: open, submit, return, accept, reopen for a correction.

Each step checks the persona rule (yinli.reporting.scoping), the report's state and its version
(a step based on a stale version is refused), and writes a ReportEvent (who, when, comment).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core.models import OrgKind, OrgUnit
from yinli.core.services import PermissionDeniedError, save_tracked

from . import locks, scoping, selectors
from .models import (
    Action,
    Correction,
    ProjectComment,
    Report,
    ReportEvent,
    ReportPeriod,
    ReportState,
)


def open_report(*, district: OrgUnit, period: ReportPeriod) -> Report:
    """The district's report for the period (a draft the first time)."""
    if district.kind != OrgKind.DISTRICT:
        raise ValidationError(_("%(unit)s is not a district.") % {"unit": district})
    report, _created = Report.objects.get_or_create(period=period, district=district)
    return report


def _state_error(report: Report, action: str) -> ValidationError:
    return ValidationError(
        _("The report of %(district)s for %(period)s is “%(state)s”; it cannot be %(action)s now.")
        % {
            "district": report.district.name,
            "period": report.period.label,
            "state": ReportState(report.state).label,
            "action": action,
        },
        code="state",
    )


def _locked(report: Report) -> Report:
    return (
        Report.all_objects.select_for_update()
        .select_related("period", "district")
        .get(pk=report.pk)
    )


@transaction.atomic
def submit(*, report: Report, by, version: int | None = None, note: str = "") -> Report:
    """The district submits its report (first time or after a return)."""
    report = _locked(report)
    if not scoping.may_submit(by, report.district):
        raise PermissionDeniedError(
            _("Only the editors of %(district)s may submit its report.")
            % {"district": report.district.name}
        )
    if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise _state_error(report, _("submitted"))
    now = timezone.now()
    if report.period.is_monthly:
        locks.record_late_additions(district=report.district, month=report.period.start)
    if report.first_submitted_at is None:
        previous = selectors.previous_accepted(report)
        report.baseline = previous.snapshot if previous else {}
        report.baseline_code = previous.period.code if previous else ""
        report.first_submitted_at = now
    report.snapshot = selectors.snapshot_of(
        selectors.report_projects(district=report.district, period=report.period)
    )
    report.state = ReportState.SUBMITTED
    report.submitted_at = now
    report.submitted_by = by
    report.note = (note or "").strip()
    save_tracked(instance=report, by=by, expected_version=version)
    ReportEvent.objects.create(
        report=report, action=Action.SUBMIT, by=by, at=now, comment=report.note
    )
    return report


@transaction.atomic
def return_report(
    *,
    report: Report,
    by,
    version: int | None = None,
    comment: str = "",
    project_comments: dict[int, str] | None = None,
) -> Report:
    """The city returns a submitted report with an overall comment and/or comments per project."""
    report = _locked(report)
    if not scoping.may_review(by):
        raise PermissionDeniedError(_("Only the city may accept or return a report."))
    if report.state != ReportState.SUBMITTED:
        raise _state_error(report, _("returned"))
    comment = (comment or "").strip()
    notes = {int(pk): (text or "").strip() for pk, text in (project_comments or {}).items()}
    notes = {pk: text for pk, text in notes.items() if text}
    unknown = sorted(pk for pk in notes if str(pk) not in report.snapshot)
    if unknown:
        raise ValidationError(
            _("Projects %(ids)s are not in this report.")
            % {"ids": "、".join(f"#{pk}" for pk in unknown)},
            code="unknown_project",
        )
    if not comment and not notes:
        raise ValidationError(
            {"comment": _("Say what must be corrected: an overall comment or one on a project.")}
        )
    now = timezone.now()
    report.state = ReportState.RETURNED
    report.comment = comment
    save_tracked(instance=report, by=by, expected_version=version)
    event = ReportEvent.objects.create(
        report=report, action=Action.RETURN, by=by, at=now, comment=comment
    )
    ProjectComment.objects.bulk_create(
        ProjectComment(event=event, project_id=pk, text=text) for pk, text in sorted(notes.items())
    )
    return report


@transaction.atomic
def accept(*, report: Report, by, version: int | None = None, comment: str = "") -> Report:
    """The city accepts the report; a monthly period is then locked (定版锁库).

    A report reopened for a correction is accepted again as the projects now stand."""
    report = _locked(report)
    if not scoping.may_review(by):
        raise PermissionDeniedError(_("Only the city may accept or return a report."))
    if report.state not in (ReportState.SUBMITTED, ReportState.REOPENED):
        raise _state_error(report, _("accepted"))
    now = timezone.now()
    if report.state == ReportState.REOPENED:
        report.snapshot = selectors.snapshot_of(
            selectors.report_projects(district=report.district, period=report.period)
        )
    report.state = ReportState.ACCEPTED
    if report.accepted_at is None:
        report.accepted_at = now
    report.accepted_by = by
    report.comment = (comment or "").strip() or report.comment
    save_tracked(instance=report, by=by, expected_version=version)
    ReportEvent.objects.create(
        report=report, action=Action.ACCEPT, by=by, at=now, comment=(comment or "").strip()
    )
    return report


@transaction.atomic
def reopen(*, report: Report, by, reason: str, version: int | None = None) -> Correction:
    """A city admin reopens a locked period to correct it; the reason is recorded."""
    report = _locked(report)
    if not scoping.may_correct(by):
        raise PermissionDeniedError(_("Only a city administrator may correct a locked period."))
    if version is not None and int(version) != report.version:
        from yinli.core.services import StaleWriteError

        raise StaleWriteError(current_version=report.version, based_on=int(version))
    if report.state != ReportState.ACCEPTED:
        raise _state_error(report, _("reopened"))
    return locks.reopen_report(report=report, by=by, reason=reason)

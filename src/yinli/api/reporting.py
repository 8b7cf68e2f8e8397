"""Report cycle (报送): the calendar's periods, the district reports, their steps and the state
of a period.

Reads go through yinli.reporting.scoping (the city sees every district, a district its own; a
district outside is 404). Steps go through yinli.reporting.services: 403 when the user sees the
report but may not take the step (a district submitting another's, a district accepting), 409 on
a stale version, 422 when the report's state does not allow the step or the input is wrong.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from yinli.core.models import OrgKind, OrgUnit
from yinli.reporting import calendar, scoping, selectors, services
from yinli.reporting.models import Frequency, Report, ReportPeriod

from .schemas import READ_ERRORS, WRITE_ERRORS, WriteSchema

router = Router(tags=["reporting"])


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment else None


class PeriodOut(Schema):
    code: str = Field(description="2025-07 (a month) or 2025-W28 (an ISO week).")
    schedule: str
    frequency: str
    start: date
    end: date
    deadline: date


class DistrictRef(Schema):
    id: int
    code: str
    name: str


class StateOut(Schema):
    district: DistrictRef
    period: str
    deadline: date
    state: str = Field(description="draft, submitted, returned, accepted or reopened.")
    state_label: str
    report_id: int | None
    submitted_on: date | None = Field(description="The first submission.")
    accepted_on: date | None
    days_overdue: int = Field(
        description="Days past the deadline: at the first submission, or today when not submitted."
    )
    overdue: bool = Field(description="Not submitted and past the deadline.")


class StatusOut(Schema):
    period: PeriodOut
    as_of: date
    districts: list[StateOut]


class ChangeOut(Schema):
    field: str
    before: str | None
    after: str | None


class CommentOut(Schema):
    text: str
    at: datetime


class RowOut(Schema):
    project_id: int
    name: str
    change: str = Field(description="new, changed, removed or empty.")
    values: dict
    changes: list[ChangeOut]
    comments: list[CommentOut]


class ReportEventOut(Schema):
    action: str
    by: str | None
    at: datetime
    comment: str


class ReportOut(Schema):
    id: int | None
    version: int
    period: PeriodOut
    district: DistrictRef
    state: str
    first_submitted_at: datetime | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    note: str
    comment: str
    locked: bool
    compared_with: str = Field(description="The period of the accepted report compared with.")
    projects: list[RowOut] | None = Field(None, description="Only on a single report.")
    log: list[ReportEventOut] | None = Field(None, description="Only on a single report.")


def _period_out(period: ReportPeriod) -> dict:
    return {
        "code": period.code,
        "schedule": period.schedule.name,
        "frequency": period.schedule.frequency,
        "start": period.start,
        "end": period.end,
        "deadline": period.deadline,
    }


def _district_out(unit: OrgUnit) -> dict:
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


def _report_out(report: Report, *, full: bool = False) -> dict:
    _baseline, code = selectors.baseline_of(report)
    data = {
        "id": report.pk,
        "version": report.version,
        "period": _period_out(report.period),
        "district": _district_out(report.district),
        "state": report.state,
        "first_submitted_at": _local(report.first_submitted_at),
        "submitted_at": _local(report.submitted_at),
        "accepted_at": _local(report.accepted_at),
        "note": report.note,
        "comment": report.comment,
        "locked": bool(report.pk and report.is_locked),
        "compared_with": code,
    }
    if full:
        data["projects"] = [
            {
                "project_id": row.pk,
                "name": row.values.get("name") or "",
                "change": row.change,
                "values": row.values,
                "changes": [
                    {"field": name, "before": pair[0], "after": pair[1]}
                    for name, pair in row.changed.items()
                ],
                "comments": [{"text": c.text, "at": _local(c.event.at)} for c in row.comments],
            }
            for row in selectors.report_rows(report)
        ]
        data["log"] = [
            {"action": e.action, "by": str(e.by) if e.by else None, "at": _local(e.at),
             "comment": e.comment}
            for e in selectors.log_of(report)
        ]  # fmt: skip
    return data


def _period(code: str) -> ReportPeriod:
    try:
        return calendar.period_for(code)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from error


def _district(user, code: str) -> OrgUnit:
    unit = (
        scoping.visible_districts(user)
        .filter(kind=OrgKind.DISTRICT)
        .filter(**({"pk": int(code)} if code.isdigit() else {"code": code}))
        .first()
    )
    if unit is None:
        raise Http404(_("There is no district %(value)s.") % {"value": code})
    return unit


class CyclePeriodQuery(Schema):
    year: int = Field(description="The calendar year.")
    frequency: str = Field("monthly", description="monthly or weekly.")


@router.get("/reporting/periods", response={200: list[PeriodOut], **READ_ERRORS})
def period_list(request: HttpRequest, query: Query[CyclePeriodQuery]):
    """The reporting calendar of a year: each period with its deadline."""
    if query.frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Choose monthly or weekly.")})
    if not 2000 <= query.year <= 2100:
        raise ValidationError(
            {"year": _("%(year)s is not a plausible year.") % {"year": query.year}}
        )
    schedule = (
        calendar.monthly_schedule()
        if query.frequency == Frequency.MONTHLY
        else calendar.weekly_schedule()
    )
    periods = calendar.generate(
        schedule=schedule, start=date(query.year, 1, 1), end=date(query.year, 12, 31)
    )
    return [_period_out(p) for p in periods]


@router.get("/reporting/status", response={200: StatusOut, **READ_ERRORS})
def period_status(request: HttpRequest, period: str):
    """Each district's state for a period: submitted and accepted dates, days overdue."""
    found = _period(period)
    today = selectors.reference_day()
    states = selectors.period_states(period=found, user=request.auth, today=today)
    return {
        "period": _period_out(found),
        "as_of": today,
        "districts": [s.as_dict() for s in states],
    }


class CycleReportQuery(Schema):
    period: str | None = Field(None, description="Only this period (2025-07).")
    district: str | None = Field(None, description="Only this district (code or id).")


@router.get("/reporting/reports", response={200: list[ReportOut], **READ_ERRORS})
def report_list(request: HttpRequest, query: Query[CycleReportQuery]):
    """The reports the user sees (newest period first), without their projects."""
    reports = scoping.visible_reports(request.auth).select_related(
        "period", "period__schedule", "district"
    )
    if query.period:
        reports = reports.filter(period=_period(query.period))
    if query.district:
        reports = reports.filter(district=_district(request.auth, query.district))
    return [_report_out(r) for r in reports.order_by("-period__start", "district__sort_order")]


def _report(request, code: str, district: str) -> Report:
    period = _period(code)
    unit = _district(request.auth, district)
    report = Report.objects.filter(period=period, district=unit).first()
    return report or Report(period=period, district=unit, version=0)


@router.get("/reporting/reports/{period}/{district}", response={200: ReportOut, **READ_ERRORS})
def report_detail(request: HttpRequest, period: str, district: str):
    """One district's report for a period: its projects with the changes since the last
    accepted report, the comments and the log (a draft when nothing was submitted yet)."""
    return _report_out(_report(request, period, district), full=True)


class SubmitIn(WriteSchema):
    version: int | None = Field(
        None, description="The report's version; none for a first submission."
    )
    note: str = ""


class ReturnIn(WriteSchema):
    version: int
    comment: str = ""
    project_comments: dict[int, str] = Field(
        default_factory=dict, description="Project id → the comment on it."
    )


class AcceptIn(WriteSchema):
    version: int
    comment: str = ""


class ReportReopenIn(WriteSchema):
    version: int
    reason: str


@router.post(
    "/reporting/reports/{period}/{district}/submit", response={200: ReportOut, **WRITE_ERRORS}
)
def report_submit(request: HttpRequest, period: str, district: str, payload: SubmitIn):
    """The district submits its report (its own district's editors only)."""
    report = _report(request, period, district)
    if not scoping.may_submit(request.auth, report.district):
        from yinli.core.services import PermissionDeniedError

        raise PermissionDeniedError(_("Only the district's editors may submit its report."))
    if report.pk is None:
        report = services.open_report(district=report.district, period=report.period)
    report = services.submit(
        report=report, by=request.auth, version=payload.version or None, note=payload.note
    )
    return _report_out(report, full=True)


def _existing(request, period, district) -> Report:
    report = _report(request, period, district)
    if report.pk is None:
        raise ValidationError(_("This district has not submitted a report for the period."))
    return report


@router.post(
    "/reporting/reports/{period}/{district}/return", response={200: ReportOut, **WRITE_ERRORS}
)
def report_return(request: HttpRequest, period: str, district: str, payload: ReturnIn):
    """The city returns the report with an overall comment and/or comments per project."""
    report = services.return_report(
        report=_existing(request, period, district),
        by=request.auth,
        version=payload.version,
        comment=payload.comment,
        project_comments=payload.project_comments,
    )
    return _report_out(report, full=True)


@router.post(
    "/reporting/reports/{period}/{district}/accept", response={200: ReportOut, **WRITE_ERRORS}
)
def report_accept(request: HttpRequest, period: str, district: str, payload: AcceptIn):
    """The city accepts the report; the month is locked (定版锁库)."""
    report = services.accept(
        report=_existing(request, period, district),
        by=request.auth,
        version=payload.version,
        comment=payload.comment,
    )
    return _report_out(report, full=True)


@router.post(
    "/reporting/reports/{period}/{district}/reopen", response={200: ReportOut, **WRITE_ERRORS}
)
def report_reopen(request: HttpRequest, period: str, district: str, payload: ReportReopenIn):
    """A city admin reopens a locked month for a correction, giving the reason."""
    report = _existing(request, period, district)
    services.reopen(report=report, by=request.auth, version=payload.version, reason=payload.reason)
    report.refresh_from_db()
    return _report_out(report, full=True)

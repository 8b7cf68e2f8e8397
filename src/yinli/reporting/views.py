"""Pages of the report cycle: the period's states, a district's report, the calendar, reminders.

Reads go through yinli.reporting.scoping / selectors: a district the user may not see is a 404
(so a guessed URL shows nothing); a step she may see but not take is refused with a message.
Writes go through yinli.reporting.services.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinli.core.models import OrgKind, OrgUnit
from yinli.core.services import StaleWriteError

from . import calendar, scoping, selectors, services
from .models import Frequency, Report, ReportPeriod, ReportState, Schedule

STALE_MESSAGE = gettext_lazy(
    "This report was changed by someone else after you opened it; nothing was saved. "
    "Reload the page and try again."
)


def _default_code(today: date) -> str:
    """The month most recently due: the previous month (the current one is not over)."""
    previous = calendar.month_start(today).replace(day=1)
    previous = date(previous.year - (previous.month == 1), (previous.month - 2) % 12 + 1, 1)
    return calendar.period_code(Frequency.MONTHLY, previous)


def _period_or_404(code: str) -> ReportPeriod:
    try:
        return calendar.period_for(code)
    except ValidationError as error:
        raise Http404(" ".join(error.messages)) from error


def index(request):
    user = request.user
    today = selectors.reference_day()
    code = request.GET.get("period") or _default_code(today)
    error = ""
    try:
        period = calendar.period_for(code)
    except ValidationError as problem:
        error = " ".join(problem.messages)
        period = calendar.period_for(_default_code(today))
    states = selectors.period_states(period=period, user=user, today=today)
    own = scoping.own_district_id(user)
    own_reports = []
    if not scoping.sees_every_district(user) and own:
        own_reports = list(
            scoping.visible_reports(user)
            .select_related("period", "period__schedule", "district")
            .order_by("-period__start", "period__schedule__frequency")[:36]
        )
    counts: dict[str, int] = {}
    for item in states:
        counts[item.state] = counts.get(item.state, 0) + 1
    return render(
        request,
        "reporting/index.html",
        {
            "tab": "index",
            "period": period,
            "states": states,
            "counts": [(ReportState(k).label, n) for k, n in counts.items()],
            "overdue_count": sum(1 for s in states if s.overdue_now),
            "error": error,
            "today": today,
            "own_reports": own_reports,
            "previous_code": _shift(period, -1),
            "next_code": _shift(period, 1),
            "city": scoping.sees_every_district(user),
        },
    )


def _shift(period: ReportPeriod, step: int) -> str:
    if period.is_monthly:
        month = period.start.month - 1 + step
        start = date(period.start.year + month // 12, month % 12 + 1, 1)
        return calendar.period_code(Frequency.MONTHLY, start)
    from datetime import timedelta

    return calendar.period_code(Frequency.WEEKLY, period.start + timedelta(days=7 * step))


def _district_or_404(user, code: str) -> OrgUnit:
    return get_object_or_404(scoping.visible_districts(user), code=code, kind=OrgKind.DISTRICT)


def _report_or_draft(district: OrgUnit, period: ReportPeriod) -> Report:
    report = Report.objects.filter(district=district, period=period).first()
    return report or Report(district=district, period=period, state=ReportState.DRAFT, version=0)


def detail(request, code: str, district: str):
    user = request.user
    period = _period_or_404(code)
    unit = _district_or_404(user, district)
    report = _report_or_draft(unit, period)
    rows = selectors.report_rows(report) if report.pk else _draft_rows(report)
    _baseline, baseline_code = (
        selectors.baseline_of(report) if report.pk else _draft_baseline(report)
    )
    today = selectors.reference_day()
    state = selectors.period_states(period=period, user=user, today=today)
    state = next((s for s in state if s.district.pk == unit.pk), None)
    reviewing = scoping.may_review(user) and report.state == ReportState.SUBMITTED
    return render(
        request,
        "reporting/detail.html",
        {
            "tab": "index",
            "period": period,
            "district": unit,
            "report": report,
            "rows": rows,
            "changes": sum(1 for r in rows if r.change),
            "baseline_code": baseline_code,
            "figures": selectors.figures_of(report),
            "log": selectors.log_of(report) if report.pk else [],
            "corrections": selectors.corrections_of(report) if report.pk else [],
            "late_additions": selectors.late_additions_of(report) if report.pk else [],
            "state": state,
            "may_submit": scoping.may_submit(user, unit)
            and report.state in (ReportState.DRAFT, ReportState.RETURNED),
            "reviewing": reviewing,
            "may_accept": scoping.may_review(user)
            and report.state in (ReportState.SUBMITTED, ReportState.REOPENED),
            "may_reopen": scoping.may_correct(user) and report.state == ReportState.ACCEPTED,
            "locked": report.pk and report.is_locked,
            "field_labels": FIELD_LABELS,
        },
    )


def _draft_rows(report: Report):
    report.snapshot = {}
    previous = selectors.previous_accepted(report)
    report.baseline = previous.snapshot if previous else {}
    report.baseline_code = previous.period.code if previous else ""
    return selectors.report_rows(report)


def _draft_baseline(report: Report):
    return report.baseline, report.baseline_code


FIELD_LABELS = {
    "stage": gettext_lazy("Stage"),
    "stage_on": gettext_lazy("Stage reached on"),
    "status": gettext_lazy("Status"),
    "first_signed_on": gettext_lazy("First signed on"),
    "total_investment": gettext_lazy("Total investment (10k yuan)"),
    "foreign_investment": gettext_lazy("Foreign investment"),
    "foreign_currency": gettext_lazy("Currency"),
    "category": gettext_lazy("Category"),
    "kind": gettext_lazy("Kind"),
    "fai_on": gettext_lazy("Accepted into statistics on"),
}


def _act(request, code: str, district: str, step) -> object:
    user = request.user
    period = _period_or_404(code)
    unit = _district_or_404(user, district)
    target = reverse("reporting:detail", args=[period.code, unit.code])
    try:
        step(user, unit, period)
    except StaleWriteError:
        messages.error(request, STALE_MESSAGE)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(target)


def _version(request) -> int | None:
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() else None


@require_POST
def submit(request, code: str, district: str):
    def step(user, unit, period):
        if not scoping.may_submit(user, unit):
            raise PermissionDenied
        report = services.open_report(district=unit, period=period)
        version = _version(request)
        services.submit(
            report=report,
            by=user,
            version=version if version else None,
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("The report was submitted."))

    return _act(request, code, district, step)


def _existing(unit, period) -> Report:
    report = Report.objects.filter(district=unit, period=period).first()
    if report is None:
        raise ValidationError(_("This district has not submitted a report for the period."))
    return report


@require_POST
def return_report(request, code: str, district: str):
    def step(user, unit, period):
        if not scoping.may_review(user):
            raise PermissionDenied
        report = _existing(unit, period)
        notes = {
            key.removeprefix("comment_"): value
            for key, value in request.POST.items()
            if key.startswith("comment_") and key.removeprefix("comment_").isdigit()
        }
        services.return_report(
            report=report,
            by=user,
            version=_version(request),
            comment=request.POST.get("comment", ""),
            project_comments={int(k): v for k, v in notes.items()},
        )
        messages.success(request, _("The report was returned to the district."))

    return _act(request, code, district, step)


@require_POST
def accept(request, code: str, district: str):
    def step(user, unit, period):
        if not scoping.may_review(user):
            raise PermissionDenied
        services.accept(
            report=_existing(unit, period),
            by=user,
            version=_version(request),
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, _("The report was accepted; the period is locked."))

    return _act(request, code, district, step)


@require_POST
def reopen(request, code: str, district: str):
    def step(user, unit, period):
        if not scoping.may_correct(user):
            raise PermissionDenied
        services.reopen(
            report=_existing(unit, period),
            by=user,
            version=_version(request),
            reason=request.POST.get("reason", ""),
        )
        messages.success(
            request, _("The period is reopened for the correction; accept it again when done.")
        )

    return _act(request, code, district, step)


def calendar_page(request):
    user = request.user
    today = selectors.reference_day()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        year = today.year
    monthly, weekly = calendar.monthly_schedule(), calendar.weekly_schedule()
    if request.method == "POST":
        if not scoping.may_correct(user):
            raise PermissionDenied
        schedule = get_object_or_404(Schedule, pk=request.POST.get("schedule"))
        try:
            text = request.POST.get("due_days", "")
            if not text.strip().isdigit():
                raise ValidationError(_("“%(value)s” is not a number of days.") % {"value": text})
            moved = calendar.change_due_days(schedule=schedule, due_days=int(text), from_day=today)
            messages.success(
                request,
                _("The deadline is now %(days)s days after the period; %(n)s periods moved.")
                % {"days": schedule.due_days, "n": moved},
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('reporting:calendar')}?year={year}")
    months = calendar.generate(schedule=monthly, start=date(year, 1, 1), end=date(year, 12, 31))
    weeks = calendar.generate(
        schedule=weekly,
        start=max(date(year, 1, 1), calendar.month_start(today).replace(day=1)),
        end=min(date(year, 12, 31), calendar.month_end(today)),
    )
    major = weekly.projects.count()
    return render(
        request,
        "reporting/calendar.html",
        {
            "tab": "calendar",
            "year": year,
            "monthly": monthly,
            "weekly": weekly,
            "months": months,
            "weeks": weeks,
            "hand_picked": major,
            "today": today,
            "may_edit": scoping.may_correct(user),
        },
    )


def overdue(request):
    user = request.user
    today = selectors.reference_day()
    items = selectors.overdue(user=user, today=today)
    return render(
        request,
        "reporting/overdue.html",
        {
            "tab": "overdue",
            "items": items,
            "today": today,
            "text": selectors.reminder_text(items, today=today),
        },
    )

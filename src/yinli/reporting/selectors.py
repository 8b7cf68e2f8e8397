"""Reads of the report cycle: reports and their projects, changes, states, reminders.

`submissions` is what the ranking (yinli.targets) reads for its "late report" deduction;
`corrections_after` is what a published report shows as its notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from yinli.core.models import OrgKind, OrgUnit

from . import scoping
from .calendar import days_overdue, month_start
from .models import (
    Action,
    Correction,
    Frequency,
    ProjectComment,
    Report,
    ReportedPeriod,
    ReportEvent,
    ReportPeriod,
    ReportState,
)

# The fields a report shows and compares, in their order on the page.
SNAPSHOT_FIELDS = (
    "name",
    "stage",
    "stage_on",
    "status",
    "first_signed_on",
    "total_investment",
    "foreign_investment",
    "foreign_currency",
    "category",
    "kind",
    "fai_on",
)
SUBMITTED_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.REOPENED)


def reference_day() -> date:
    """Today, or the demo city's reference date (its pages open on its own days)."""
    from yinli.demo.services import is_demo_city

    if is_demo_city():
        return date.fromisoformat(getattr(settings, "DEMO_REFERENCE_DATE", "2025-08-10"))
    return timezone.localdate()


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def districts_for(period: ReportPeriod) -> QuerySet[OrgUnit]:
    """The districts that report for a period: those that existed during it."""
    return OrgUnit.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=period.end),
        Q(valid_to__isnull=True) | Q(valid_to__gte=period.start),
        kind=OrgKind.DISTRICT,
    ).order_by("sort_order", "code")


# --- a report's projects and the changes ---------------------------------------------------


def report_projects(*, district: OrgUnit, period: ReportPeriod) -> QuerySet:
    """A district's projects as they stand: live, not merged, signed by the period's end or
    still before signing; a weekly report only the major ones (rule or chosen by hand)."""
    from yinli.stats.selectors import live_projects

    projects = live_projects(district=district).filter(
        Q(first_signed_on__lte=period.end)
        | Q(first_signed_on__isnull=True, created_at__lt=_end_moment(period.end))
    )
    schedule = period.schedule
    if schedule.frequency == Frequency.WEEKLY:
        condition = Q(pk__in=schedule.projects.values("pk"))
        if schedule.major_threshold_wan is not None:
            condition |= Q(total_investment__gte=schedule.major_threshold_wan)
        projects = projects.filter(condition)
    return projects


def _end_moment(day: date) -> datetime:
    from datetime import time, timedelta

    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time(0, 0)))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot_of(projects: QuerySet, *, as_of: date | None = None) -> dict[str, dict]:
    """project id → the fields that matter (JSON-ready). With `as_of`, the stage is read from
    the stage log and 入库 dates after it are left out (the demo city writes its past months)."""
    from yinli.projects.models import StageChange

    rows = {str(row.pop("id")): row for row in projects.values("id", *SNAPSHOT_FIELDS)}
    if as_of is not None:
        stages: dict[str, tuple] = {}
        for pk, stage, on in (
            StageChange.objects.filter(project_id__in=[int(k) for k in rows], on__lte=as_of)
            .order_by("on", "id")
            .values_list("project_id", "stage", "on")
        ):
            stages[str(pk)] = (stage, on)
        for key, row in rows.items():
            if key in stages:
                row["stage"], row["stage_on"] = stages[key]
            if row["fai_on"] and row["fai_on"] > as_of:
                row["fai_on"] = None
    return {key: {name: _plain(value) for name, value in row.items()} for key, row in rows.items()}


@dataclass
class Row:
    pk: int
    values: dict
    change: str  # "new", "changed", "removed" or ""
    changed: dict = field(default_factory=dict)  # field → (before, after)
    comments: list = field(default_factory=list)
    exists: bool = True


def current_values(report: Report) -> dict[str, dict]:
    """What the report says: as submitted once it is, as the projects stand while it is not."""
    if report.state in (ReportState.SUBMITTED, ReportState.ACCEPTED):
        return report.snapshot
    return snapshot_of(report_projects(district=report.district, period=report.period))


def previous_accepted(report: Report) -> Report | None:
    return (
        Report.objects.filter(
            district=report.district,
            period__schedule=report.period.schedule,
            period__start__lt=report.period.start,
            state__in=(ReportState.ACCEPTED, ReportState.REOPENED),
        )
        .select_related("period")
        .order_by("-period__start")
        .first()
    )


def baseline_of(report: Report) -> tuple[dict, str]:
    if report.baseline_code or report.baseline:
        return report.baseline, report.baseline_code
    previous = previous_accepted(report)
    return (previous.snapshot, previous.period.code) if previous else ({}, "")


def report_rows(report: Report) -> list[Row]:
    """Every project of the report with its change since the last accepted report; the
    changed rows first (new, then changed, then removed), each in name order."""
    now = current_values(report)
    before, _code = baseline_of(report)
    comments = comments_by_project(report)
    rows = []
    for key, values in now.items():
        old = before.get(key)
        if not before:
            change, changed = "", {}
        elif old is None:
            change, changed = "new", {}
        else:
            changed = {
                name: (old.get(name), values.get(name))
                for name in SNAPSHOT_FIELDS
                if name != "name" and old.get(name) != values.get(name)
            }
            change = "changed" if changed else ""
        rows.append(Row(int(key), values, change, changed, comments.get(int(key), [])))
    for key, old in before.items():
        if key not in now:
            rows.append(Row(int(key), old, "removed", {}, comments.get(int(key), []), False))
    order = {"new": 0, "changed": 1, "removed": 2, "": 3}
    rows.sort(key=lambda r: (order[r.change], r.values.get("name") or "", r.pk))
    return rows


def comments_by_project(report: Report) -> dict[int, list[ProjectComment]]:
    found: dict[int, list[ProjectComment]] = {}
    if report.pk is None:
        return found
    for comment in ProjectComment.objects.filter(event__report=report).select_related(
        "event", "event__by"
    ):
        found.setdefault(comment.project_id, []).append(comment)
    return found


def log_of(report: Report) -> QuerySet[ReportEvent]:
    if report.pk is None:
        return ReportEvent.objects.none()
    return report.events.select_related("by").prefetch_related("comments__project")


def late_additions_of(report: Report) -> QuerySet[ReportedPeriod]:
    return ReportedPeriod.objects.filter(
        project__district=report.district, month=report.period.start
    ).select_related("project")


def figures_of(report: Report) -> dict[str, Any]:
    """The district's headline figures for the period (through the stats selector)."""
    from yinli.stats.definitions import current_definition
    from yinli.stats.selectors import counted_projects, in_statistics_projects

    period, district = report.period, report.district
    definition = current_definition()
    signed = counted_projects(
        definition=definition, start=period.start, end=period.end, district=district
    ).aggregate(count=Count("pk"), total=Sum("total_investment"))
    fai = in_statistics_projects(start=period.start, end=period.end, district=district).aggregate(
        count=Count("pk"), total=Sum("total_investment")
    )
    return {
        "definition": definition,
        "signed_count": signed["count"],
        "signed_total_wan": signed["total"] or Decimal(0),
        "fai_count": fai["count"],
        "fai_total_wan": fai["total"] or Decimal(0),
    }


# --- states of a period ------------------------------------------------------------------


@dataclass
class DistrictState:
    district: OrgUnit
    period: ReportPeriod
    report: Report | None
    state: str
    first_submitted_on: date | None
    accepted_on: date | None
    days_overdue: int  # past the deadline without a submission (today), or late when submitted

    @property
    def state_label(self) -> str:
        return str(ReportState(self.state).label)

    @property
    def overdue_now(self) -> bool:
        return self.first_submitted_on is None and self.days_overdue > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "district": {"id": self.district.pk, "code": self.district.code,
                         "name": self.district.name},
            "period": self.period.code,
            "deadline": self.period.deadline.isoformat(),
            "state": self.state,
            "state_label": self.state_label,
            "report_id": self.report.pk if self.report else None,
            "submitted_on": _iso(self.first_submitted_on),
            "accepted_on": _iso(self.accepted_on),
            "days_overdue": self.days_overdue,
            "overdue": self.overdue_now,
        }  # fmt: skip


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _state_of(district, period, report, today) -> DistrictState:
    submitted = _local_day(report.first_submitted_at) if report else None
    accepted = _local_day(report.accepted_at) if report else None
    late = days_overdue(period.deadline, on=submitted or today)
    return DistrictState(
        district=district,
        period=period,
        report=report,
        state=report.state if report else ReportState.DRAFT,
        first_submitted_on=submitted,
        accepted_on=accepted,
        days_overdue=late,
    )


def period_states(*, period: ReportPeriod, user, today: date | None = None) -> list[DistrictState]:
    """Each district the user sees: its report's state for the period, dates, days overdue."""
    today = today or reference_day()
    districts = districts_for(period).filter(pk__in=scoping.visible_districts(user).values("pk"))
    reports = {
        r.district_id: r
        for r in Report.objects.filter(period=period).select_related("district", "period")
    }
    return [_state_of(d, period, reports.get(d.pk), today) for d in districts]


@dataclass(frozen=True)
class Submission:
    district: OrgUnit
    period: str
    start: date
    end: date
    deadline: date
    submitted_on: date | None
    accepted_on: date | None
    days_late: int | None


def submissions(*, start: date, end: date, district: OrgUnit | None = None) -> list[Submission]:
    """Per district and monthly period within [start, end]: the deadline, the first
    submission, the acceptance and the days late (None if on time or not yet due).

    A report not submitted is late by the days from its deadline to today (the reference day).
    Periods are those of the calendar (created as the cycle runs) that lie within the range.
    """
    today = reference_day()
    periods = ReportPeriod.objects.filter(
        schedule__frequency=Frequency.MONTHLY, start__gte=start, end__lte=end
    ).select_related("schedule")
    reports = {
        (r.district_id, r.period_id): r
        for r in Report.objects.filter(period__in=periods).select_related("district")
    }
    found = []
    for period in periods.order_by("start"):
        districts = districts_for(period)
        if district is not None:
            districts = districts.filter(pk=district.pk)
        for unit in districts:
            report = reports.get((unit.pk, period.pk))
            submitted = _local_day(report.first_submitted_at) if report else None
            accepted = _local_day(report.accepted_at) if report else None
            late = days_overdue(period.deadline, on=submitted or today)
            found.append(
                Submission(
                    district=unit,
                    period=period.code,
                    start=period.start,
                    end=period.end,
                    deadline=period.deadline,
                    submitted_on=submitted,
                    accepted_on=accepted,
                    days_late=late or None,
                )
            )
    return found


def overdue(*, user, today: date | None = None, months_back: int = 12) -> list[DistrictState]:
    """催报: the districts (that the user sees) with a monthly report not submitted by its
    deadline, most overdue first: the calendar's months of the last `months_back` months, from
    the first month any district submitted (or only the month most recently due)."""
    today = today or reference_day()
    earliest = month_start(date(today.year - max(months_back // 12, 1), today.month, 1))
    periods = ReportPeriod.objects.filter(
        schedule__frequency=Frequency.MONTHLY, deadline__lt=today, start__gte=earliest
    ).select_related("schedule")
    # The cycle runs from the first month any district submitted; before that only the month
    # most recently due is reminded (a new installation is not flagged for its whole past).
    first = (
        Report.objects.filter(
            period__schedule__frequency=Frequency.MONTHLY, first_submitted_at__isnull=False
        )
        .order_by("period__start")
        .values_list("period__start", flat=True)
        .first()
    )
    latest = periods.order_by("-start").values_list("start", flat=True).first()
    start = min(first, latest) if first and latest else latest
    periods = periods.filter(start__gte=start) if start else periods.none()
    visible = set(scoping.visible_districts(user).values_list("pk", flat=True))
    if not visible:
        return []
    submitted = set(
        Report.objects.filter(period__in=periods, first_submitted_at__isnull=False).values_list(
            "district_id", "period_id"
        )
    )
    drafts = {
        (r.district_id, r.period_id): r
        for r in Report.objects.filter(period__in=periods, first_submitted_at__isnull=True)
    }
    found = []
    for period in periods:
        for unit in districts_for(period).filter(pk__in=visible):
            if (unit.pk, period.pk) in submitted:
                continue
            found.append(_state_of(unit, period, drafts.get((unit.pk, period.pk)), today))
    found.sort(key=lambda s: (-s.days_overdue, s.district.sort_order, s.district.code))
    return found


def reminder_text(items: list[DistrictState], *, today: date) -> str:
    """A plain text block for the city's notice: one line per district and month."""
    lines = [f"截至{today.year}年{today.month}月{today.day}日，以下板块月报逾期未报送："]
    for item in items:
        lines.append(
            f"{item.district.name}：{item.period.label}月报（截止{item.period.deadline:%Y-%m-%d}），"
            f"已逾期{item.days_overdue}天"
        )
    if not items:
        lines = [f"截至{today.year}年{today.month}月{today.day}日，各板块月报均已按时报送。"]
    return "\n".join(lines)


# --- corrections ----------------------------------------------------------------------------


def corrections_after(published_at: datetime, period, district: OrgUnit | None = None):
    """Corrections of locked months within `period` (anything with .start and .end) made after
    `published_at`: what a published report must say moved under it."""
    corrections = Correction.objects.filter(
        at__gt=published_at,
        report__period__schedule__frequency=Frequency.MONTHLY,
        report__period__start__gte=period.start,
        report__period__end__lte=period.end,
    ).select_related("report__district", "report__period", "by", "project")
    if district is not None:
        corrections = corrections.filter(report__district=district)
    return list(corrections.order_by("at", "id"))


def corrections_of(report: Report) -> QuerySet[Correction]:
    return report.corrections.select_related("by", "project").order_by("at", "id")


def last_return(report: Report) -> ReportEvent | None:
    return report.events.filter(action=Action.RETURN).order_by("-at", "-id").first()


def corrections_for_published(published) -> list[Correction]:
    """The corrections a published report (stats.PublishedReport) must mention: those of its
    period (and district) made after it was published."""
    from types import SimpleNamespace

    period = SimpleNamespace(start=published.period_start, end=published.period_end)
    return corrections_after(published.published_at, period, published.district)

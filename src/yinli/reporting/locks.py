"""定版锁库: an accepted monthly report locks its district's month.

The project write path asks :func:`check_project_write` before it saves (projects.services
create / update / stage / delete / restore, projects.merge merge / unmerge) and the ledger import
asks :func:`check_import_plans` for its rows. A write that would change the figures of a locked
month — a counted field of a project counted in that month, or a project moving into it — is
refused with :class:`PeriodLockedError`, naming the district and month.

A city admin makes such a change as a recorded correction: either she reopens the period on the
report page first (``services.reopen``, giving the reason), or code wraps the write in
``with correction(by=admin, reason=...)``; both record a :class:`Correction` and leave the report
``reopened`` (not locked) until the city accepts it again. Published reports list the
corrections made after they were published (``selectors.corrections_after``).

Late additions (a project signed in a locked month but entered later) follow the setting
``YINLI_LATE_ADDITIONS``: ``"signing_month"`` (the default) refuses them like any other change
of a locked month; ``"reported_month"`` lets them in and records the month they are reported in
(:class:`ReportedPeriod`: the first month of the district not locked), and the figures count them
there (:func:`counted_in_q`, used by stats.selectors.signed_in).

Not guarded: funds in place (到位资金). The statistics bureau's 入库 list import (ledger.fai)
goes through project_update, so a row touching a locked month stops that import with the lock's
message. Conflict rulings are guarded through the merge and the district move they make
(projects.conflicts).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from yinli.core import scoping

from .calendar import month_start, next_month
from .models import (
    Action,
    Correction,
    Frequency,
    Report,
    ReportedPeriod,
    ReportEvent,
    ReportState,
)

SIGNING_MONTH = "signing_month"
REPORTED_MONTH = "reported_month"
LATE_ADDITION_CHOICES = (SIGNING_MONTH, REPORTED_MONTH)

# The project fields a figure depends on (counting rule, amounts, sources, breakdowns).
COUNTED_FIELDS = (
    "first_signed_on",
    "total_investment",
    "foreign_investment",
    "foreign_currency",
    "category",
    "kind",
    "district_id",
    "fai_on",
    "company_id",
    "signing_region_id",
    "controller_region_id",
    "industry_id",
    "channel_id",
    "event_id",
    "merged_into_id",
    "deleted_at",
)
SIGNED_STAGES = ("signed", "registered", "started", "completed", "producing", "full")


def late_additions() -> str:
    value = getattr(settings, "YINLI_LATE_ADDITIONS", SIGNING_MONTH)
    return value if value in LATE_ADDITION_CHOICES else SIGNING_MONTH


class PeriodLockedError(ValidationError):
    """The write would change the figures of a locked (accepted) month."""

    def __init__(self, reports: list[Report]):
        self.reports = reports
        names = "、".join(f"{r.district.display_name}{r.period.label}" for r in reports)
        super().__init__(
            _(
                "This change would alter the figures of %(periods)s, which the city has accepted "
                "and locked (定版锁库); it was not saved. To correct a locked period a city "
                "administrator reopens it on its report page, giving the reason, and then makes "
                "the change."
            )
            % {"periods": names},
            code="locked",
        )


@dataclass(frozen=True)
class _Correcting:
    by: object
    reason: str


_correcting: ContextVar[_Correcting | None] = ContextVar("reporting_correcting", default=None)


@contextmanager
def correction(*, by, reason: str) -> Iterator[None]:
    """Writes inside are a city admin's recorded correction: a locked month they touch is
    reopened (with `reason`) instead of refusing them."""
    reason = (reason or "").strip()
    if not scoping.changes_everything(by):
        raise ValidationError(_("Only a city administrator may correct a locked period."))
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    token = _correcting.set(_Correcting(by=by, reason=reason))
    try:
        yield
    finally:
        _correcting.reset(token)


# --- which months a project counts in -----------------------------------------------------


def _month(day) -> date | None:
    return month_start(day) if day else None


def _pairs(row: dict, *, reported: date | None = None) -> set[tuple[int, date]]:
    """(district id, month) of the figures a project with these values counts in."""
    district = row.get("district_id")
    if not district or row.get("merged_into_id") or row.get("deleted_at"):
        return set()
    pairs = set()
    signed = reported or _month(row.get("first_signed_on"))
    if signed:
        pairs.add((district, signed))
    fai = _month(row.get("fai_on"))
    if fai:
        pairs.add((district, fai))
    return pairs


def _stage_pairs(project) -> set[tuple[int, date]]:
    from yinli.projects.models import StageChange

    months = StageChange.objects.filter(project_id=project.pk, stage__in=SIGNED_STAGES).values_list(
        "on", flat=True
    )
    return {(project.district_id, month_start(on)) for on in months if project.district_id}


def _row_of(project) -> dict:
    return {field: getattr(project, field) for field in COUNTED_FIELDS}


def _stored_row(pk) -> dict | None:
    from yinli.projects.models import Project

    return Project.all_objects.filter(pk=pk).values(*COUNTED_FIELDS).first()


def _reported_month(pk) -> date | None:
    if pk is None:
        return None
    return ReportedPeriod.objects.filter(project_id=pk).values_list("month", flat=True).first()


def project_months(project) -> set[tuple[int, date]]:
    """(district id, month) of the figures the project counts in as it is stored."""
    return _pairs(_row_of(project), reported=_reported_month(project.pk))


def locked_reports(pairs: Iterable[tuple[int, date]]) -> list[Report]:
    """The accepted monthly reports of these (district id, month) pairs."""
    condition = Q()
    for district_id, month in set(pairs):
        condition |= Q(district_id=district_id, period__start=month)
    if not condition:
        return []
    return list(
        Report.objects.filter(
            condition,
            state=ReportState.ACCEPTED,
            period__schedule__frequency=Frequency.MONTHLY,
        )
        .select_related("district", "period")
        .order_by("period__start", "district__sort_order")
    )


def is_locked(*, district, month: date) -> bool:
    return bool(locked_reports([(district.pk, month_start(month))]))


def first_open_month(*, district_id: int, month: date) -> date:
    """The first month from `month` on that the district has not had accepted (locked)."""
    locked = set(
        Report.objects.filter(
            district_id=district_id,
            state=ReportState.ACCEPTED,
            period__schedule__frequency=Frequency.MONTHLY,
            period__start__gte=month_start(month),
        ).values_list("period__start", flat=True)
    )
    month = month_start(month)
    while month in locked:
        month = next_month(month)
    return month


def _refuse_or_correct(reports: list[Report], *, project, what: str) -> None:
    if not reports:
        return
    active = _correcting.get()
    if active is None:
        raise PeriodLockedError(reports)
    for report in reports:
        reopen_report(report=report, by=active.by, reason=active.reason, project=project, what=what)


def reopen_report(*, report: Report, by, reason: str, project=None, what: str = "") -> Correction:
    """Reopen an accepted report for a correction (city admin), recording why."""
    from django.utils import timezone

    if not scoping.changes_everything(by):
        raise ValidationError(_("Only a city administrator may correct a locked period."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    if report.state not in (ReportState.ACCEPTED, ReportState.REOPENED):
        raise ValidationError(
            _("Only an accepted report can be reopened for a correction."), code="state"
        )
    now = timezone.now()
    if report.state == ReportState.ACCEPTED:
        Report.all_objects.filter(pk=report.pk).update(
            state=ReportState.REOPENED, version=report.version + 1, updated_at=now
        )
        report.state = ReportState.REOPENED
        report.version += 1
        ReportEvent.objects.create(
            report=report, action=Action.REOPEN, by=by, at=now, comment=reason
        )
    return Correction.objects.create(
        report=report, project=project, what=what[:300], reason=reason, by=by, at=now
    )


# --- the hooks ------------------------------------------------------------------------------

WHAT = {
    "create": "新增项目",
    "update": "修改项目",
    "stage": "阶段变更",
    "delete": "删除项目",
    "restore": "恢复项目",
    "merge": "合并项目",
    "unmerge": "撤销合并",
}


def check_project_write(
    *, project, by, action: str, stage: str | None = None, on: date | None = None
) -> None:
    """Refuse (PeriodLockedError) a project write that would change a locked month's figures.

    ``action``: "create" (call it after the new project is saved, inside the same transaction),
    "update" (before saving the changed instance), "stage" (with the new `stage` and date
    `on`, before saving), "delete", "restore", "merge" (the project merged away), "unmerge".
    """
    what = f"{WHAT.get(action, action)}：{project.name}"
    reported = _reported_month(project.pk)
    if action == "create":
        pairs = _pairs(_row_of(project))
        reports = locked_reports(pairs)
        if reports and late_additions() == REPORTED_MONTH and project.first_signed_on:
            _record_late_addition(project)
            pairs = _pairs(_row_of(project), reported=_reported_month(project.pk))
            reports = locked_reports(pairs)
        _refuse_or_correct(reports, project=project, what=what)
        return
    if action == "update":
        before = _stored_row(project.pk)
        after = _row_of(project)
        if before is None or all(before[f] == after[f] for f in COUNTED_FIELDS):
            return
        pairs = _pairs(before, reported=reported) | _pairs(after, reported=reported)
    elif action == "stage":
        if stage not in SIGNED_STAGES or on is None or not project.district_id:
            return
        pairs = {(project.district_id, month_start(on))}
        if project.first_signed_on is None:
            pairs |= _pairs({**_row_of(project), "first_signed_on": on})
    elif action in ("delete", "merge"):
        pairs = _pairs(_stored_row(project.pk) or {}, reported=reported) | _stage_pairs(project)
    elif action in ("restore", "unmerge"):
        row = {**(_stored_row(project.pk) or {}), "deleted_at": None, "merged_into_id": None}
        pairs = _pairs(row, reported=reported) | _stage_pairs(project)
    else:
        raise ValueError(action)
    _refuse_or_correct(locked_reports(pairs), project=project, what=what)


def _record_late_addition(project) -> ReportedPeriod:
    signed = month_start(project.first_signed_on)
    month = first_open_month(district_id=project.district_id, month=signed)
    record, _created = ReportedPeriod.objects.update_or_create(
        project=project, defaults={"month": month, "signed_month": signed}
    )
    return record


def record_late_additions(*, district, month: date) -> int:
    """Under "reported_month": give every late addition of the district not yet recorded (an
    imported row, say) the month being reported. Called when a report is submitted."""
    from yinli.projects.models import Project

    if late_additions() != REPORTED_MONTH:
        return 0
    locked = Report.objects.filter(
        district=district,
        state__in=(ReportState.ACCEPTED, ReportState.REOPENED),
        period__schedule__frequency=Frequency.MONTHLY,
        period__start__lt=month,
    ).values_list("period__start", "accepted_at")
    added = 0
    for start, accepted_at in locked:
        if accepted_at is None:
            continue
        late = Project.objects.filter(
            district=district,
            merged_into__isnull=True,
            first_signed_on__gte=start,
            first_signed_on__lt=next_month(start),
            created_at__gt=accepted_at,
            reported_period__isnull=True,
        )
        for project in late:
            ReportedPeriod.objects.create(
                project=project, month=month, signed_month=month_start(project.first_signed_on)
            )
            added += 1
    return added


def _locked_pairs() -> set[tuple[int, date]]:
    """Every (district id, month) an accepted monthly report locks: a few hundred at most."""
    return set(
        Report.objects.filter(
            state=ReportState.ACCEPTED, period__schedule__frequency=Frequency.MONTHLY
        ).values_list("district_id", "period__start")
    )


def locked_months() -> set[tuple[int, date]]:
    """The (district id, first day of the month) pairs locked now, for check_import_plans."""
    return _locked_pairs()


def check_import_plans(plans: list, *, projects: dict, locked: set | None = None) -> None:
    """The ledger import's rows: a row that would change a locked month becomes a row error.

    `plans` are the importer's row plans (action "create" or "update"), `projects` the matched
    projects by id. A late addition under "reported_month" passes (recorded when reported).
    Two queries for the whole chunk (the locked months — unless given as ``locked``, what
    :func:`locked_months` returned —, the reported months of the updated projects); the reports
    are read only for a row that hits a lock.
    """
    from yinli.projects.models import Stage, stage_rank

    locked = _locked_pairs() if locked is None else locked
    if not locked:
        return
    late = late_additions()
    updated = [p.project_id for p in plans if p.action == "update" and p.project_id]
    reported_months = dict(
        ReportedPeriod.objects.filter(project_id__in=updated).values_list("project_id", "month")
    )
    for plan in plans:
        if plan.action == "create":
            if late == REPORTED_MONTH or plan.district is None:
                continue
            row = {
                "district_id": plan.district.pk,
                "first_signed_on": plan.values.get("signed_on"),
                "fai_on": plan.values.get("fai_on"),
            }
            field_name = "signed_on" if row["first_signed_on"] else "fai_on"
            pairs = _pairs(row)
        elif plan.action == "update":
            project = projects.get(plan.project_id)
            if project is None:
                continue
            before = _row_of(project)
            after = dict(before)
            for key, value in plan.changes.items():
                attr = key if key in before else f"{key}_id"
                if attr in after:
                    after[attr] = getattr(value, "pk", value)
            pairs = set()
            if after != before:
                reported = reported_months.get(project.pk)
                pairs = _pairs(before, reported=reported) | _pairs(after, reported=reported)
            if plan.advance_to and stage_rank(plan.advance_to) >= stage_rank(Stage.SIGNED):
                on = plan.values.get("signed_on") if plan.advance_to == Stage.SIGNED else None
                on = on or plan.values.get("stage_on")
                if on:
                    pairs.add((project.district_id, month_start(on)))
            changed = [k for k in plan.changes if (k if k in before else f"{k}_id") in before]
            field_name = changed[0] if changed else "stage"
        else:
            continue
        if pairs & locked:
            error = PeriodLockedError(locked_reports(pairs & locked))
            plan.problem(field_name, plan.values.get(field_name), error.messages[0])
            plan.action = "error"


def counted_in_q(signed: Q, start: date, end: date) -> Q:
    """Where a signed project counts, for the stats selector (stats.selectors.signed_in).

    Under "signing_month" this is `signed` itself (first_signed_on within the period); under
    "reported_month" a late addition counts in the month it was reported instead (one LEFT JOIN
    on ReportedPeriod). Month-level: a reported month counts when its first day is in the range.
    """
    if late_additions() != REPORTED_MONTH:
        return signed
    return (signed & Q(reported_period__isnull=True)) | Q(
        reported_period__month__gte=start, reported_period__month__lte=end
    )

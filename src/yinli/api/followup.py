"""Follow-through: funds in place, 实际使用外资 by month, alerts, alert rules, permit checklists.

A project outside the user's scope is 404 (so are its funds and permits); one she sees but may
not change is 403 on a write; a permit write based on a stale version is 409. Alerts are the
responsible unit's list (yinli.followup.scoping.alert_projects) on any as-of day.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from yinli.core import scoping
from yinli.followup import alerts, selectors, services
from yinli.followup.models import AlertKind, AlertRule, PermitItem, PermitStatus
from yinli.followup.scoping import visible_permits
from yinli.projects.models import FundsInPlace, FundsSource, Project, Stage
from yinli.stats.dashboard import reference_day

from .lookups import Resolver
from .schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    AmountInput,
    IdOrCode,
    NamedRef,
    Number,
    Page,
    PageQuery,
    ValidationErrorOut,
    WriteSchema,
    paginate,
)

router = Router(tags=["followup"])

SourceCode = Literal[tuple(FundsSource.values)]
StageCode = Literal[tuple(Stage.values)]
PermitStatusCode = Literal[tuple(PermitStatus.values)]
AlertKindCode = Literal[tuple(AlertKind.values)]


def _project(request: HttpRequest, project_id: int) -> Project:
    project = scoping.visible_projects(request.auth).filter(pk=project_id).first()
    if project is None:
        raise Http404
    return project


# --- funds in place ---------------------------------------------------------------------------


class FundsEntryOut(Schema):
    id: int
    on: date
    amount_wan: Number
    source: SourceCode
    source_label: str
    foreign_amount_wan_usd: Number | None = Field(
        description="实际使用外资 in this arrival, in 万美元."
    )
    note: str
    by: str | None


class ProjectFundsOut(Schema):
    project: NamedRef
    total_investment_wan: Number | None
    funds_in_place_wan: Number
    funds_in_place_pct: Number | None = Field(
        description="资金到位率 of the project: funds in place ÷ total investment, in percent."
    )
    foreign_used_wan_usd: Number
    entries: list[FundsEntryOut]


def _entry(entry: FundsInPlace) -> dict:
    return {
        "id": entry.pk,
        "on": entry.on,
        "amount_wan": entry.amount,
        "source": entry.source,
        "source_label": str(FundsSource(entry.source).label),
        "foreign_amount_wan_usd": entry.foreign_amount,
        "note": entry.note,
        "by": entry.by.username if entry.by_id else None,
    }


def _funds(project: Project) -> dict:
    funds = selectors.project_funds(project=project)
    return {
        "project": {"id": project.pk, "name": project.name},
        "total_investment_wan": funds.total_wan,
        "funds_in_place_wan": funds.funds_wan,
        "funds_in_place_pct": funds.pct,
        "foreign_used_wan_usd": funds.foreign_wan_usd,
        "entries": [_entry(e) for e in funds.entries],
    }


@router.get("/projects/{project_id}/funds", response={200: ProjectFundsOut, **READ_ERRORS})
def project_funds(request: HttpRequest, project_id: int):
    """The project's funds in place over time and against its total investment."""
    return _funds(_project(request, project_id))


class FundsIn(WriteSchema):
    on: date = Field(description="The day the money arrived.")
    amount: AmountInput = Field(description='In 万元, or text such as "0.5亿元".')
    source: SourceCode = FundsSource.OWN
    foreign_amount: AmountInput | None = Field(
        None, description="实际使用外资 in 万美元 (only with the source foreign)."
    )
    note: str = Field("", max_length=300)


@router.post("/projects/{project_id}/funds", response={201: ProjectFundsOut, **WRITE_ERRORS})
def project_funds_add(request: HttpRequest, project_id: int, payload: FundsIn):
    """Record an arrival of funds (403 for a user who may not change the project)."""
    project = _project(request, project_id)
    resolve = Resolver()
    amount = resolve.amount_cny("amount", payload.amount)
    foreign = None
    if payload.foreign_amount is not None:
        foreign, _currency = resolve.amount_foreign(
            "foreign_amount", payload.foreign_amount, "USD", currency_given=True
        )
    if amount is None and "amount" not in resolve.errors:
        resolve.fail("amount", _("Give the amount that arrived."))
    resolve.check()
    services.funds_add(
        user=request.auth,
        project=project,
        on=payload.on,
        amount=amount,
        source=payload.source,
        foreign_amount=foreign,
        note=payload.note,
    )
    return HttpStatus(201, _funds(project))


class ForeignMonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    amount_wan_usd: Number
    arrivals: int
    projects: int


class ForeignCapitalOut(Schema):
    date_from: date
    date_to: date
    district: NamedRef | None
    total_wan_usd: Number
    projects: int
    months: list[ForeignMonthOut]


class ForeignQuery(Schema):
    date_from: date | None = Field(None, description="Default: 1 January of the as-of year.")
    date_to: date | None = Field(None, description="Default: today (or the demo city's day).")
    district: IdOrCode | None = Field(None, description="A district: id, code or exact name.")


@router.get(
    "/followup/foreign-capital",
    response={200: ForeignCapitalOut, 422: ValidationErrorOut, **READ_ERRORS},
)
def foreign_capital(request: HttpRequest, query: Query[ForeignQuery]):
    """实际使用外资 (万美元) by month of arrival, for the projects the user sees."""
    end = query.date_to or reference_day()
    start = query.date_from or date(end.year, 1, 1)
    resolve = Resolver()
    district = resolve.district("district", query.district)
    if end < start:
        resolve.fail(
            "date_to",
            _("The end (%(end)s) is before the start (%(start)s).") % {"end": end, "start": start},
        )
    resolve.check()
    result = selectors.foreign_capital_by_month(
        user=request.auth, start=start, end=end, district=district
    )
    return {
        "date_from": result.start,
        "date_to": result.end,
        "district": {"id": district.pk, "name": district.name} if district else None,
        "total_wan_usd": result.total_wan_usd,
        "projects": result.projects,
        "months": result.months,
    }


# --- alerts -----------------------------------------------------------------------------------


class RuleOut(Schema):
    id: int
    name: str
    kind: AlertKindCode
    kind_label: str
    from_stage: StageCode
    to_stage: StageCode | None
    months: int
    funds_pct: Number | None
    active: bool
    description: str


def _rule(rule: AlertRule) -> dict:
    return {
        "id": rule.pk,
        "name": rule.name,
        "kind": rule.kind,
        "kind_label": str(AlertKind(rule.kind).label),
        "from_stage": rule.from_stage,
        "to_stage": rule.to_stage or None,
        "months": rule.months,
        "funds_pct": rule.funds_pct,
        "active": rule.active,
        "description": rule.description,
    }


@router.get("/followup/rules", response={200: list[RuleOut], **READ_ERRORS})
def rule_list(request: HttpRequest):
    """The alert rules (analysts change them on the rule page or in the admin)."""
    return [_rule(r) for r in AlertRule.objects.all()]


class AlertRuleRef(Schema):
    id: int
    name: str
    kind: AlertKindCode


class AlertOut(Schema):
    rule: AlertRuleRef
    project: NamedRef
    district: NamedRef
    responsible_unit: NamedRef | None
    reached_on: date = Field(description="The day the rule counts its months from.")
    since: date = Field(description="The day the alert opened.")
    days: int = Field(description="Days open on the as-of day (0 on the day it opened).")
    total_investment_wan: Number | None
    funds_in_place_wan: Number | None = Field(description="For a funds rule: as of the day.")
    funds_in_place_pct: Number | None


class AlertPage(Page):
    as_of: date
    items: list[AlertOut]


class AlertQuery(PageQuery):
    as_of: date | None = Field(None, description="Default: today (or the demo city's day).")
    rule: int | None = Field(None, description="Only this rule (id).")
    district: IdOrCode | None = Field(None, description="A district: id, code or exact name.")
    project: int | None = Field(None, description="Only this project (id).")


@router.get("/followup/alerts", response={200: AlertPage, 422: ValidationErrorOut, **READ_ERRORS})
def alert_list(request: HttpRequest, query: Query[AlertQuery]):
    """Open alerts of the projects the user follows, longest open first."""
    resolve = Resolver()
    district = resolve.district("district", query.district)
    rule = None
    if query.rule is not None:
        rule = AlertRule.objects.filter(pk=query.rule).first()
        if rule is None:
            resolve.fail("rule", _('There is no alert rule "%(rule)s".') % {"rule": query.rule})
    resolve.check()
    project = _project(request, query.project) if query.project is not None else None
    as_of = query.as_of or reference_day()
    found = alerts.open_alerts(
        user=request.auth, as_of=as_of, rule=rule, district=district, project=project
    )
    page = paginate(_ListQuerySet(found), query)
    page["as_of"] = as_of
    page["items"] = [a.as_dict() for a in page["items"]]
    return page


class _ListQuerySet(list):
    """A list that paginate() can count like a queryset."""

    def count(self) -> int:
        return len(self)


# --- permits ----------------------------------------------------------------------------------


class PermitOut(Schema):
    id: int
    version: int
    project: int
    name: str
    department: str
    order: int
    status: PermitStatusCode
    status_label: str
    started_on: date | None
    due_on: date | None
    done_on: date | None
    overdue: bool = Field(description="Planned for a day that has passed and not settled.")
    note: str


class ProjectPermitsOut(Schema):
    project: NamedRef
    total: int
    done: int
    not_applicable: int
    in_progress: int
    overdue: int
    settled_pct: int
    items: list[PermitOut]


def _permit(item: PermitItem, today: date) -> dict:
    return {
        "id": item.pk,
        "version": item.version,
        "project": item.project_id,
        "name": item.name,
        "department": item.department,
        "order": item.order,
        "status": item.status,
        "status_label": str(PermitStatus(item.status).label),
        "started_on": item.started_on,
        "due_on": item.due_on,
        "done_on": item.done_on,
        "overdue": bool(item.due_on and not item.settled and item.due_on < today),
        "note": item.note,
    }


def _permits(project: Project) -> dict:
    today = reference_day()
    progress = selectors.permit_progress(project=project, today=today)
    return {
        "project": {"id": project.pk, "name": project.name},
        **progress.as_dict(),
        "items": [_permit(i, today) for i in PermitItem.objects.filter(project=project)],
    }


@router.get("/projects/{project_id}/permits", response={200: ProjectPermitsOut, **READ_ERRORS})
def project_permits(request: HttpRequest, project_id: int):
    """The project's permit checklist and its progress."""
    return _permits(_project(request, project_id))


@router.post("/projects/{project_id}/permits", response={200: ProjectPermitsOut, **WRITE_ERRORS})
def project_permits_create(request: HttpRequest, project_id: int):
    """Put the fitting template's permits on the checklist (those already there stay: doing it
    twice adds nothing)."""
    project = _project(request, project_id)
    services.permits_from_template(user=request.auth, project=project)
    return _permits(project)


class PermitIn(WriteSchema):
    version: int = Field(description="The version this change is based on.")
    status: PermitStatusCode | None = None
    department: str | None = Field(None, max_length=100)
    started_on: date | None = None
    due_on: date | None = None
    done_on: date | None = None
    note: str | None = Field(None, max_length=500)


@router.patch("/followup/permits/{permit_id}", response={200: PermitOut, **WRITE_ERRORS})
def permit_update(request: HttpRequest, permit_id: int, payload: PermitIn):
    """Change a permit's status, dates, department or note; only the fields sent change."""
    item = get_object_or_404(
        visible_permits(request.auth, PermitItem.objects.select_related("project")), pk=permit_id
    )
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if not data:
        raise ValidationError(_("Send at least one field to change."))
    services.permit_update(user=request.auth, item=item, data=data, version=version)
    return _permit(item, reference_day())

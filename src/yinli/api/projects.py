"""Projects: list (the page's filters), detail, create, update, stage, status, delete, history.

Every read starts from `scoping.visible_projects`; a project outside it is 404 on every route.
Writes go through `yinli.projects.services`, which check `changeable_projects` (403 when the
project is visible but not the user's to change) and the version the write is based on (409).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from yinli.core import scoping
from yinli.core.history import object_history
from yinli.fieldwork.models import Channel, Event
from yinli.projects import conflicts, services
from yinli.projects.filters import ProjectFilter
from yinli.projects.models import Agreement, Category, Industry, Kind, Project, Stage, Status, Tag
from yinli.projects.rules import incomplete_fields

from .errors import validation_payload
from .lookups import Resolver
from .schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    AmountInput,
    ChannelRef,
    CompanyRef,
    IdOrCode,
    NamedRef,
    Number,
    Page,
    PageQuery,
    RegionRef,
    UnitRef,
    ValidationErrorOut,
    VersionIn,
    WriteSchema,
    paginate,
    region_ref,
    unit_ref,
)

router = Router(tags=["projects"])

StageCode = Literal[tuple(Stage.values)]
StatusCode = Literal[tuple(Status.values)]
KindCode = Literal[tuple(Kind.values)]
CategoryCode = Literal[tuple(Category.values)]
AgreementCode = Literal[tuple(Agreement.values)]

# The names a project's fields carry in this API where they differ from the model's.
RESPONSE_FIELD_NAMES = {
    "total_investment": "total_investment_wan",
    "expected_output": "expected_output_wan",
    "expected_tax": "expected_tax_wan",
}


# --- Output -------------------------------------------------------------------------------


class ProjectOut(Schema):
    id: int
    version: int
    name: str
    company: CompanyRef | None
    district: UnitRef
    responsible_unit: UnitRef | None
    stage: StageCode
    stage_label: str
    stage_on: date | None
    first_signed_on: date | None = Field(
        description="Set at the first formal signing; never moves."
    )
    status: StatusCode
    status_label: str
    status_reason: str
    lost_to: RegionRef | None
    kind: KindCode
    kind_label: str
    category: CategoryCode
    category_label: str
    agreement: AgreementCode
    total_investment_wan: Number | None = Field(description="Total investment in 万元.")
    total_investment_yi: Number | None = Field(description="Total investment in 亿元.")
    foreign_investment: Number | None = Field(
        description="Agreed foreign investment, in 万 of foreign_currency."
    )
    foreign_currency: str
    signing_region: RegionRef | None
    controller_name: str
    controller_region: RegionRef | None
    source_region: RegionRef | None = Field(
        description="Where the investment comes from: the controller's location, else the signer's."
    )
    industry: NamedRef | None
    channel: ChannelRef | None
    event: NamedRef | None
    introducer: str
    first_contact: str
    responsible_person: str
    task_force: str
    linked_leader: str
    fai_code: str = Field(description="Investment project code (投资项目代码).")
    fai_on: date | None = Field(description="Accepted into fixed-asset statistics (入库列统).")
    land_mu: Number | None
    expected_output_wan: Number | None
    expected_tax_wan: Number | None
    jobs: int | None
    tags: list[str]
    merged_into: int | None
    duplicate_decision: str = Field(
        "", description="The answer to a duplicate warning: distinct, same or empty."
    )
    duplicate_reason: str = ""
    missing_for_next_stage: list[str] = Field(
        description="What the project still lacks to reach the next stage."
    )
    notes: str
    created_at: datetime
    updated_at: datetime
    deleted: bool


class ProjectPage(Page):
    items: list[ProjectOut]


class DuplicateWarningOut(Schema):
    """An existing project of the same investor, as far as the user may see it (撞车提示)."""

    project_id: int
    company_id: int
    company_name: str
    match_score: int = Field(description="0–100.")
    match_reason: str
    district_id: int
    district_name: str
    responsible_unit_name: str
    stage: StageCode
    stage_label: str
    stage_on: date | None
    reported_on: date = Field(description="When the project was first entered (首报).")
    other_district: bool
    visible: bool = Field(description="Whether the user may open the project itself.")
    project_name: str | None = Field(description="Only when visible.")
    total_investment_wan: Number | None = Field(description="Only when visible.")
    message: str


class DuplicateWarningsOut(ValidationErrorOut):
    """422 when the investor already has a project and `duplicate_decision` was not sent."""

    duplicates: list[DuplicateWarningOut] = Field(
        default_factory=list,
        description="The existing projects; answer with duplicate_decision and send again.",
    )


class DuplicateDecisionIn(WriteSchema):
    decision: Literal["distinct", "same"] = Field(
        description="distinct: a different investment (reason required); same: the same project "
        "as an existing one (opens a conflict for the city to rule on)."
    )
    reason: str = Field("", description="Why it is different (required for distinct), or a note.")
    project: int | None = Field(
        None,
        description="With same: the existing project's id from the warnings (default the first).",
    )


def warning_data(warning) -> dict[str, Any]:
    data = warning.as_dict()
    data["total_investment_wan"] = data.pop("total_investment")
    return data


def duplicate_answer(sent: dict[str, Any] | None):
    if not sent:
        return None
    return conflicts.DecisionInput(
        decision=sent.get("decision") or "",
        reason=sent.get("reason") or "",
        same_as=sent.get("project"),
    )


def duplicates_unconfirmed(error) -> HttpStatus:
    body = validation_payload(error)
    body["duplicates"] = [warning_data(w) for w in error.warnings]
    return HttpStatus(422, body)


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment else None


def project_data(project: Project) -> dict[str, Any]:
    company = project.company
    return {
        "id": project.pk,
        "version": project.version,
        "name": project.name,
        "company": (
            {"id": company.pk, "name": company.name, "uscc": company.uscc} if company else None
        ),
        "district": unit_ref(project.district),
        "responsible_unit": unit_ref(project.responsible_unit),
        "stage": project.stage,
        "stage_label": _label(Stage, project.stage),
        "stage_on": project.stage_on,
        "first_signed_on": project.first_signed_on,
        "status": project.status,
        "status_label": _label(Status, project.status),
        "status_reason": project.status_reason,
        "lost_to": region_ref(project.lost_to),
        "kind": project.kind,
        "kind_label": _label(Kind, project.kind),
        "category": project.category,
        "category_label": _label(Category, project.category),
        "agreement": project.agreement,
        "total_investment_wan": project.total_investment,
        "total_investment_yi": project.total_investment_yi,
        "foreign_investment": project.foreign_investment,
        "foreign_currency": project.foreign_currency,
        "signing_region": region_ref(project.signing_region),
        "controller_name": project.controller_name,
        "controller_region": region_ref(project.controller_region),
        "source_region": region_ref(project.source_region),
        "industry": (
            {"id": project.industry.pk, "name": project.industry.name} if project.industry else None
        ),
        "channel": (
            {"id": project.channel.pk, "code": project.channel.code, "name": project.channel.name}
            if project.channel
            else None
        ),
        "event": {"id": project.event.pk, "name": project.event.name} if project.event else None,
        "introducer": project.introducer,
        "first_contact": project.first_contact,
        "responsible_person": project.responsible_person,
        "task_force": project.task_force,
        "linked_leader": project.linked_leader,
        "fai_code": project.fai_code,
        "fai_on": project.fai_on,
        "land_mu": project.land_mu,
        "expected_output_wan": project.expected_output,
        "expected_tax_wan": project.expected_tax,
        "jobs": project.jobs,
        "tags": [tag.name for tag in project.tags.all()],
        "merged_into": project.merged_into_id,
        "duplicate_decision": project.duplicate_decision,
        "duplicate_reason": project.duplicate_reason,
        "missing_for_next_stage": [str(req.label) for req in incomplete_fields(project)],
        "notes": project.notes,
        "created_at": _local(project.created_at),
        "updated_at": _local(project.updated_at),
        "deleted": project.is_deleted,
    }


def project_queryset():
    """Every column a ProjectOut shows, in a fixed number of queries however long the page."""
    return Project.all_objects.select_related(
        "company",
        "district",
        "responsible_unit",
        "industry",
        "channel",
        "event",
        "signing_region",
        "controller_region",
        "lost_to",
    ).prefetch_related("tags")


def visible_project(request: HttpRequest, project_id: int) -> Project:
    """The project if the user may see it (deleted ones included); 404 otherwise."""
    project = (
        scoping.visible_projects(request.auth, project_queryset()).filter(pk=project_id).first()
    )
    if project is None:
        raise Http404
    return project


def live_project(request: HttpRequest, project_id: int) -> Project:
    project = visible_project(request, project_id)
    if project.is_deleted:
        raise ValidationError(_("The project is deleted; restore it first."), code="deleted")
    return project


def _reloaded(project: Project) -> dict[str, Any]:
    return project_data(project_queryset().get(pk=project.pk))


# --- Input --------------------------------------------------------------------------------


class ProjectFields(WriteSchema):
    """Fields a client may set. References take an id or a code (or an exact name), regions a
    code or free text, amounts a number in the field's unit or text such as "3.5亿元"."""

    name: str | None = None
    company: int | None = Field(None, description="Company id.")
    district: IdOrCode | None = Field(None, description="District (板块): id, code or exact name.")
    responsible_unit: IdOrCode | None = Field(
        None, description="Organisation unit: id, code or exact name."
    )
    signing_region: str | None = Field(
        None, description='Signing entity\'s location: region code or text ("上海浦东").'
    )
    controller_name: str | None = None
    controller_region: str | None = Field(
        None, description="Actual controller's location: region code or text."
    )
    industry: IdOrCode | None = Field(None, description="Industry direction: id or name.")
    channel: IdOrCode | None = Field(None, description="Channel: id, code or name.")
    event: IdOrCode | None = Field(None, description="Event: id or exact name.")
    introducer: str | None = None
    first_contact: str | None = None
    responsible_person: str | None = None
    task_force: str | None = None
    linked_leader: str | None = None
    agreement: AgreementCode | None = None
    kind: KindCode | None = None
    category: CategoryCode | None = None
    total_investment_wan: AmountInput | None = Field(
        None, description='Total investment: a number in 万元, or text such as "3.5亿元".'
    )
    foreign_investment: AmountInput | None = Field(
        None,
        description="Agreed foreign investment: a number in 万 of foreign_currency, or text "
        'such as "2000万美元".',
    )
    foreign_currency: str | None = Field(None, description="ISO 4217 code; default USD.")
    land_mu: Number | None = None
    expected_output_wan: AmountInput | None = None
    expected_tax_wan: AmountInput | None = None
    jobs: int | None = None
    fai_code: str | None = None
    fai_on: date | None = None
    tags: list[str] | None = Field(None, description="Names of existing strategic tags.")
    notes: str | None = None
    duplicate_decision: DuplicateDecisionIn | None = Field(
        None,
        description="The answer to a duplicate warning (a 422 with `duplicates`): required when "
        "the investor already has a project.",
    )


class ProjectCreate(ProjectFields):
    name: str
    district: IdOrCode = Field(description="District (板块): id, code or exact name.")
    stage: StageCode = Stage.LEAD
    stage_on: date | None = Field(None, description="When the stage was reached; default today.")


class ProjectUpdate(ProjectFields):
    version: int = Field(description="The version this change is based on.")


class StageIn(WriteSchema):
    stage: StageCode
    on: date | None = Field(None, description="When the stage was reached; default today.")
    note: str = ""
    version: int


class StatusIn(WriteSchema):
    status: StatusCode
    reason: str = Field("", description="Required unless the status is active.")
    lost_to: str | None = Field(
        None, description="For a lost project: where it went (region code or text)."
    )
    version: int


_TEXT_FIELDS = {
    "name",
    "controller_name",
    "introducer",
    "first_contact",
    "responsible_person",
    "task_force",
    "linked_leader",
    "agreement",
    "kind",
    "category",
    "fai_code",
    "notes",
}
_AMOUNT_FIELDS = {
    "total_investment_wan": "total_investment",
    "expected_output_wan": "expected_output",
    "expected_tax_wan": "expected_tax",
}


def project_values(
    request: HttpRequest, sent: dict[str, Any], project: Project | None = None
) -> tuple[dict[str, Any], list[Tag] | None]:
    """The service's `data` (model field → value) and tags from the fields a client sent."""
    resolve = Resolver()
    data: dict[str, Any] = {}
    tags = None
    for field, value in sent.items():
        if field in _TEXT_FIELDS:
            data[field] = (value or "").strip()
        elif field in ("jobs", "fai_on", "land_mu"):
            data[field] = value
        elif field == "company":
            data[field] = resolve.model(
                field,
                value,
                scoping.visible_companies(request.auth),
                names=(),
                missing=_("There is no company with id %(value)s."),
            )
        elif field == "district":
            data[field] = resolve.district(field, value)
        elif field == "responsible_unit":
            data[field] = resolve.unit(field, value)
        elif field in ("signing_region", "controller_region"):
            data[field] = resolve.region(field, value)
        elif field == "industry":
            data[field] = resolve.model(
                field, value, Industry.objects.all(), missing=_('There is no industry "%(value)s".')
            )
        elif field == "channel":
            data[field] = resolve.model(
                field,
                value,
                Channel.objects.all(),
                code="code",
                missing=_('There is no channel "%(value)s".'),
            )
        elif field == "event":
            data[field] = resolve.model(
                field, value, Event.objects.all(), missing=_('There is no event "%(value)s".')
            )
        elif field in _AMOUNT_FIELDS:
            data[_AMOUNT_FIELDS[field]] = resolve.amount_cny(field, value)
        elif field == "tags":
            tags = resolve.many(
                field,
                value or [],
                Tag.objects.all(),
                missing=_('There is no strategic tag "%(value)s".'),
            )
    if "foreign_investment" in sent:
        currency_given = bool(sent.get("foreign_currency"))
        currency = sent.get("foreign_currency") or (project.foreign_currency if project else "USD")
        value, currency = resolve.amount_foreign(
            "foreign_investment",
            sent["foreign_investment"],
            currency,
            currency_given=currency_given,
        )
        data["foreign_investment"] = value
        data["foreign_currency"] = currency
    elif sent.get("foreign_currency"):
        data["foreign_currency"] = sent["foreign_currency"].strip().upper()
    resolve.check()
    return data, tags


# --- Endpoints ----------------------------------------------------------------------------


class ProjectQuery(PageQuery):
    """The filters of the project list page (yinli.projects.filters.ProjectFilter)."""

    q: str | None = Field(
        None,
        description="Name, company, controller, investment code, credit code or pinyin "
        'initials ("nc" finds 年产…).',
    )
    stage: list[StageCode] | None = None
    status: list[StatusCode] | None = None
    district: list[int] | None = Field(None, description="District ids.")
    industry: list[int] | None = Field(None, description="Industry direction ids.")
    category: CategoryCode | None = None
    kind: KindCode | None = None
    signed_from: date | None = None
    signed_to: date | None = None
    size: Literal["lt1", "ge1", "ge10", "ge30"] | None = Field(
        None, description="Size band of total investment in 亿元."
    )
    source: str | None = Field(
        None, description="Source region code (includes everything under it)."
    )
    source_group: int | None = Field(None, description="Source region group id.")
    channel: int | None = None
    event: int | None = None
    company: int | None = None
    stat: Literal["signed", "in_statistics", "pipeline"] | None = Field(
        None,
        description="A statistics figure's projects (its drill-down), with period, definition, "
        "by and key as in the figure's url of /api/v1/stats/report.",
    )
    period: str | None = Field(None, description="With stat: the period, e.g. 2025H1.")
    definition: int | None = Field(None, description="With stat: the definition version.")
    by: str | None = Field(None, description="With stat: the breakdown (source_city, district…).")
    key: str | None = Field(None, description="With stat and by: the row of the breakdown.")
    ordering: (
        Literal[
            "name",
            "-name",
            "first_signed_on",
            "-first_signed_on",
            "total_investment",
            "-total_investment",
            "updated_at",
            "-updated_at",
        ]
        | None
    ) = None
    deleted: bool = Field(False, description="List deleted projects (to restore) instead.")


@router.get("/projects", response={200: ProjectPage, 422: ValidationErrorOut, **READ_ERRORS})
def project_list(request: HttpRequest, filters: Query[ProjectQuery]):
    """Projects the user may see, filtered exactly as on the project list page."""
    queryset = scoping.visible_projects(
        request.auth, project_queryset().filter(deleted_at__isnull=not filters.deleted)
    )
    filterset = ProjectFilter(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.as_data())
    queryset = filterset.qs
    if filters.ordering:
        queryset = queryset.order_by(filters.ordering, "-id")
    page = paginate(queryset, filters)
    page["items"] = [project_data(project) for project in page["items"]]
    return page


@router.get("/projects/{project_id}", response={200: ProjectOut, **READ_ERRORS})
def project_detail(request: HttpRequest, project_id: int):
    return project_data(visible_project(request, project_id))


@router.post("/projects", response={201: ProjectOut, **WRITE_ERRORS, 422: DuplicateWarningsOut})
def project_create(request: HttpRequest, payload: ProjectCreate):
    """File a new project. A user may file only under the districts she enters data for (403).

    When the investor already has a project (in any district) the answer is 422 with the
    `duplicates` found, until `duplicate_decision` says what this record is."""
    sent = payload.model_dump(exclude_unset=True)
    stage = sent.pop("stage", Stage.LEAD)
    stage_on = sent.pop("stage_on", None)
    decision = sent.pop("duplicate_decision", None)
    data, tags = project_values(request, sent)
    warnings = conflicts.duplicate_check(
        user=request.auth,
        company=data.get("company"),
        district=data.get("district"),
        project_name=data.get("name"),
    )
    try:
        answer = conflicts.require_decision(warnings, duplicate_answer(decision))
    except conflicts.DuplicateUnconfirmed as error:
        return duplicates_unconfirmed(error)
    with transaction.atomic():
        project = services.project_create(
            data=data, by=request.auth, stage=stage, stage_on=stage_on, tags=tags
        )
        conflicts.apply_decision(project=project, answer=answer, by=request.auth)
    return HttpStatus(201, _reloaded(project))


@router.patch(
    "/projects/{project_id}", response={200: ProjectOut, **WRITE_ERRORS, 422: DuplicateWarningsOut}
)
def project_update(request: HttpRequest, project_id: int, payload: ProjectUpdate):
    """Change the fields sent (others stay). `version` must be the current one, else 409.

    Changing the investor to one that already has a project answers 422 with `duplicates`
    until `duplicate_decision` is sent."""
    project = live_project(request, project_id)
    sent = payload.model_dump(exclude_unset=True)
    version = sent.pop("version")
    decision = sent.pop("duplicate_decision", None)
    data, tags = project_values(request, sent, project)
    warnings = []
    company = data.get("company")
    if company is not None and company.pk != project.company_id:
        warnings = conflicts.duplicate_check(
            user=request.auth,
            company=company,
            district=data.get("district") or project.district,
            exclude_project_id=project.pk,
        )
    try:
        answer = conflicts.require_decision(warnings, duplicate_answer(decision))
    except conflicts.DuplicateUnconfirmed as error:
        return duplicates_unconfirmed(error)
    with transaction.atomic():
        services.project_update(
            project=project, data=data, version=version, by=request.auth, tags=tags
        )
        conflicts.apply_decision(project=project, answer=answer, by=request.auth)
    return _reloaded(project)


@router.post("/projects/{project_id}/stage", response={200: ProjectOut, **WRITE_ERRORS})
def project_stage(request: HttpRequest, project_id: int, payload: StageIn):
    """Move the project to a later stage, dated (the stage log keeps every step)."""
    project = live_project(request, project_id)
    services.project_advance_stage(
        project=project,
        stage=payload.stage,
        on=payload.on or timezone.localdate(),
        note=payload.note,
        version=payload.version,
        by=request.auth,
    )
    return _reloaded(project)


@router.post("/projects/{project_id}/status", response={200: ProjectOut, **WRITE_ERRORS})
def project_status(request: HttpRequest, project_id: int, payload: StatusIn):
    """Set 推进中 / 暂缓 / 流失 / 终止 with its reason (and, when lost, where it went)."""
    project = live_project(request, project_id)
    resolve = Resolver()
    lost_to = resolve.region("lost_to", payload.lost_to)
    resolve.check()
    services.project_set_status(
        project=project,
        status=payload.status,
        reason=payload.reason,
        lost_to=lost_to,
        version=payload.version,
        by=request.auth,
    )
    return _reloaded(project)


@router.delete("/projects/{project_id}", response={200: ProjectOut, **WRITE_ERRORS})
def project_delete(request: HttpRequest, project_id: int, version: int):
    """Soft delete: the project leaves every list and figure and can be restored."""
    project = visible_project(request, project_id)
    services.project_delete(project=project, version=version, by=request.auth)
    return _reloaded(project)


@router.post("/projects/{project_id}/restore", response={200: ProjectOut, **WRITE_ERRORS})
def project_restore(request: HttpRequest, project_id: int, payload: VersionIn):
    project = visible_project(request, project_id)
    services.project_restore(project=project, version=payload.version, by=request.auth)
    return _reloaded(project)


class HistoryUser(Schema):
    id: int
    name: str


class HistoryChange(Schema):
    field: str
    label: str
    before: str
    after: str


class HistoryEntryOut(Schema):
    id: int
    at: datetime
    by: HistoryUser | None
    action: str = Field(description="create, update, stage, status, delete or restore.")
    action_label: str
    changes: list[HistoryChange]


@router.get("/projects/{project_id}/history", response={200: list[HistoryEntryOut], **READ_ERRORS})
def project_history(request: HttpRequest, project_id: int):
    """Every change, newest first: who, when, what, and each field before → after."""
    project = visible_project(request, project_id)
    return [
        {
            "id": entry.history_id,
            "at": _local(entry.when),
            "by": {"id": entry.user_id, "name": entry.who} if entry.user_id else None,
            "action": entry.action,
            "action_label": entry.action_label,
            "changes": [
                {
                    "field": RESPONSE_FIELD_NAMES.get(change.field, change.field),
                    "label": change.label,
                    "before": change.before,
                    "after": change.after,
                }
                for change in entry.changes
            ],
        }
        for entry in object_history(project)
    ]

"""Duplicates: candidate search, duplicate check, claims (首报首谈), conflicts (撞车), merges.

Scoping: the company registry is shared; a project outside the user's scope is 404. A conflict
is visible to the city and to the districts it names; a side the user may not see shows its
district, stage and dates, never its record. Rulings, merges and unmerges are the city's (403).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from yinli.companies import merge as company_merges
from yinli.companies.models import Company, CompanyMerge
from yinli.companies.search import search_candidates
from yinli.core import scoping
from yinli.core.services import PermissionDeniedError
from yinli.projects import claims, conflicts
from yinli.projects import merge as project_merges
from yinli.projects.models import (
    Conflict,
    ConflictOrigin,
    ConflictStatus,
    EvidenceKind,
    Project,
    ProjectMerge,
    Ruling,
)

from .projects import DuplicateWarningOut, warning_data
from .schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    Number,
    Page,
    PageQuery,
    UnitRef,
    WriteSchema,
    paginate,
    unit_ref,
)

router = Router(tags=["duplicates"])


# --- candidate search and the duplicate check ----------------------------------------------


class CandidateOut(Schema):
    company_id: int
    name: str
    score: int = Field(description="0–100, best first.")
    reason: str = Field(description='Why it matched, e.g. "同一信用代码", "名称相似 92%".')


@router.get("/companies/match", response={200: list[CandidateOut], **READ_ERRORS})
def company_match(
    request: HttpRequest,
    q: str = Query(..., description="A company name in any variant, or a credit code."),
    limit: int = Query(10, ge=1, le=100),
):
    """The companies a name or a 统一社会信用代码 may mean, scored (as `yinli companies match`)."""
    if not scoping._active(request.auth):
        return []
    return [c.as_dict() for c in search_candidates(q, limit=limit)]


@router.get("/duplicates/check", response={200: list[DuplicateWarningOut], **READ_ERRORS})
def duplicate_check(
    request: HttpRequest,
    company: int | None = Query(None, description="Company id."),
    name: str | None = Query(None, description="Investor's name as typed."),
    uscc: str | None = Query(None, description="统一社会信用代码."),
    district: int | None = Query(None, description="Where the new project would land."),
    exclude_project: int | None = Query(None, description="The project being edited."),
):
    """The existing projects of a would-be project's investor (撞车提示), as the user may know them."""
    record = None
    if company is not None:
        record = scoping.visible_companies(request.auth).filter(pk=company).first()
        if record is None:
            raise Http404
    warnings = conflicts.duplicate_check(
        user=request.auth,
        company=record,
        company_name=name,
        uscc=uscc,
        district=district,
        exclude_project_id=exclude_project,
    )
    return [warning_data(w) for w in warnings]


# --- claims ----------------------------------------------------------------------------------


EvidenceCode = Literal[tuple(EvidenceKind.values)]


class ClaimOut(Schema):
    id: int
    project_id: int
    unit: UnitRef
    district: UnitRef | None
    claimed_on: date
    evidence_kind: EvidenceCode
    evidence_kind_label: str
    evidence: str | None = Field(description="Only for a project the user may see.")
    document_ref: str | None
    last_progress_on: date = Field(description="The last stage change or visit (or the claim).")
    valid_until: date = Field(description="last_progress_on + YINLI_CLAIM_VALID_MONTHS.")
    expired: bool
    released_on: date | None
    released_reason: str
    state: Literal["valid", "expired", "released"]


class ClaimIn(WriteSchema):
    claimed_on: date | None = Field(None, description="Default today.")
    evidence_kind: EvidenceCode = EvidenceKind.VISIT
    evidence: str = ""
    document_ref: str = ""


def claim_data(state: claims.ClaimState, *, visible: bool = True) -> dict[str, Any]:
    claim = state.claim
    return {
        "id": claim.pk,
        "project_id": claim.project_id,
        "unit": unit_ref(claim.unit),
        "district": unit_ref(claim.district),
        "claimed_on": claim.claimed_on,
        "evidence_kind": claim.evidence_kind,
        "evidence_kind_label": claim.get_evidence_kind_display(),
        "evidence": claim.evidence if visible else None,
        "document_ref": claim.document_ref if visible else None,
        "last_progress_on": state.last_progress_on,
        "valid_until": state.valid_until,
        "expired": state.expired,
        "released_on": claim.released_on,
        "released_reason": claim.released_reason,
        "state": "released" if state.released else ("expired" if state.expired else "valid"),
    }


def _visible_project(request: HttpRequest, project_id: int) -> Project:
    project = scoping.visible_projects(request.auth, Project.all_objects.all()).filter(
        pk=project_id
    )
    found = project.select_related("district", "responsible_unit").first()
    if found is None:
        raise Http404
    return found


@router.get("/projects/{project_id}/claims", response={200: list[ClaimOut], **READ_ERRORS})
def claim_list(request: HttpRequest, project_id: int):
    """The project's claims, earliest first, with their validity computed today."""
    project = _visible_project(request, project_id)
    return [claim_data(state) for state in claims.claims_of(project)]


@router.post("/projects/{project_id}/claims", response={201: ClaimOut, **WRITE_ERRORS})
def claim_create(request: HttpRequest, project_id: int, payload: ClaimIn):
    """Record a claim for the user's unit, with its evidence."""
    project = _visible_project(request, project_id)
    claim = claims.claim_create(project=project, by=request.auth, **payload.model_dump())
    return HttpStatus(201, claim_data(claims.state_of(claim)))


# --- conflicts -------------------------------------------------------------------------------


class ConflictSideOut(Schema):
    district: UnitRef = Field(description="The side's district when the conflict was opened.")
    current_district: UnitRef
    visible: bool = Field(description="Whether the user may see this side's project.")
    project_id: int | None = Field(description="Only when visible.")
    project_name: str | None = Field(description="Only when visible.")
    total_investment_wan: Number | None = Field(description="Only when visible.")
    stage: str
    stage_label: str
    stage_on: date | None
    first_signed_on: date | None
    reported_on: date
    merged_into: int | None = Field(description="Only when visible.")
    claims: list[ClaimOut]


class ConflictOut(Schema):
    id: int
    status: Literal[tuple(ConflictStatus.values)]
    status_label: str
    origin: Literal[tuple(ConflictOrigin.values)]
    note: str
    opened_at: datetime
    a: ConflictSideOut = Field(description="The record reported first.")
    b: ConflictSideOut = Field(description="The record entered later.")
    ruling: str = Field(description="keep, transfer, joint, distinct, reject, or empty.")
    ruling_label: str
    ruling_side: str = Field(description="a or b: who keeps / receives / leads.")
    lead_share: Number | None
    other_share: Number | None
    ruling_reason: str
    ruled_by: str | None
    ruled_at: datetime | None


class ConflictPage(Page):
    items: list[ConflictOut]


def _side(conflict: Conflict, side: str, user) -> dict[str, Any]:
    project, district = conflict.side_of(side)
    visible = scoping.visible_projects(user, Project.all_objects.filter(pk=project.pk)).exists()
    return {
        "district": unit_ref(district),
        "current_district": unit_ref(project.district),
        "visible": visible,
        "project_id": project.pk if visible else None,
        "project_name": project.name if visible else None,
        "total_investment_wan": project.total_investment if visible else None,
        "stage": project.stage,
        "stage_label": project.get_stage_display(),
        "stage_on": project.stage_on,
        "first_signed_on": project.first_signed_on,
        "reported_on": timezone.localdate(project.created_at),
        "merged_into": project.merged_into_id if visible else None,
        "claims": [claim_data(s, visible=visible) for s in claims.claims_of(project)],
    }


def conflict_data(conflict: Conflict, user) -> dict[str, Any]:
    return {
        "id": conflict.pk,
        "status": conflict.status,
        "status_label": conflict.get_status_display(),
        "origin": conflict.origin,
        "note": conflict.note,
        "opened_at": timezone.localtime(conflict.opened_at),
        "a": _side(conflict, "a", user),
        "b": _side(conflict, "b", user),
        "ruling": conflict.ruling,
        "ruling_label": conflict.get_ruling_display() if conflict.ruling else "",
        "ruling_side": conflict.ruling_side,
        "lead_share": conflict.lead_share,
        "other_share": conflict.other_share,
        "ruling_reason": conflict.ruling_reason,
        "ruled_by": str(conflict.ruled_by) if conflict.ruled_by_id else None,
        "ruled_at": timezone.localtime(conflict.ruled_at) if conflict.ruled_at else None,
    }


def _conflicts(user):
    return conflicts.visible_conflicts(user).select_related(
        "district_a",
        "district_b",
        "project_a__district",
        "project_b__district",
        "ruled_by",
    )


class ConflictQuery(PageQuery):
    status: Literal["open", "ruled"] | None = None
    project: int | None = Field(None, description="Conflicts naming this project.")


@router.get("/conflicts", response={200: ConflictPage, **READ_ERRORS})
def conflict_list(request: HttpRequest, filters: Query[ConflictQuery]):
    """Conflicts the user may know of: the city all, a district those naming it."""
    queryset = _conflicts(request.auth)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.project is not None:
        queryset = queryset.filter(Q(project_a=filters.project) | Q(project_b=filters.project))
    page = paginate(queryset, filters)
    page["items"] = [conflict_data(c, request.auth) for c in page["items"]]
    return page


@router.get("/conflicts/{conflict_id}", response={200: ConflictOut, **READ_ERRORS})
def conflict_detail(request: HttpRequest, conflict_id: int):
    return conflict_data(get_object_or_404(_conflicts(request.auth), pk=conflict_id), request.auth)


class ConflictOpenIn(WriteSchema):
    project_a: int = Field(description="The record reported first.")
    project_b: int = Field(description="The record entered later.")
    note: str = ""


@router.post("/conflicts", response={201: ConflictOut, **WRITE_ERRORS})
def conflict_open(request: HttpRequest, payload: ConflictOpenIn):
    """Open a conflict between two projects of different districts (city roles)."""
    if not conflicts.may_rule(request.auth):
        raise PermissionDeniedError(_("Only the city opens a conflict between any two projects."))
    a = get_object_or_404(Project, pk=payload.project_a)
    b = get_object_or_404(Project, pk=payload.project_b)
    conflict = conflicts.conflict_open(project_a=a, project_b=b, by=request.auth, note=payload.note)
    return HttpStatus(201, conflict_data(conflict, request.auth))


class RulingIn(WriteSchema):
    ruling: Literal[tuple(Ruling.values)]
    reason: str = Field(description="Required.")
    side: Literal["a", "b", ""] = Field(
        "", description="keep: who keeps it; transfer: the receiving side; joint: the lead."
    )
    lead_share: Decimal | None = Field(None, description="joint: the lead's share in %.")
    other_share: Decimal | None = Field(None, description="joint: default 100 − lead_share.")


@router.post("/conflicts/{conflict_id}/ruling", response={200: ConflictOut, **WRITE_ERRORS})
def conflict_rule(request: HttpRequest, conflict_id: int, payload: RulingIn):
    """Record the city's ruling and carry it out; both districts are notified (city roles)."""
    conflict = get_object_or_404(_conflicts(request.auth), pk=conflict_id)
    conflict = conflicts.conflict_rule(
        conflict=conflict,
        ruling=payload.ruling,
        reason=payload.reason,
        side=payload.side,
        lead_share=payload.lead_share,
        other_share=payload.other_share,
        by=request.auth,
    )
    conflict = _conflicts(request.auth).get(pk=conflict.pk)
    return conflict_data(conflict, request.auth)


# --- merges ----------------------------------------------------------------------------------


class MergeIn(WriteSchema):
    into: int = Field(description="The id of the record that is kept.")
    reason: str = ""


class MergeOut(Schema):
    id: int
    kept: int
    merged: int
    moved: dict[str, list[int]] = Field(description="The rows that moved, by model.field.")
    reason: str
    at: datetime
    undone_at: datetime | None


class MergePreviewOut(Schema):
    moves: dict[str, int] = Field(description="How many records of each kind would move.")


def merge_data(record) -> dict[str, Any]:
    return {
        "id": record.pk,
        "kept": record.kept_id,
        "merged": record.merged_id,
        "moved": record.moved,
        "reason": record.reason,
        "at": timezone.localtime(record.at),
        "undone_at": timezone.localtime(record.undone_at) if record.undone_at else None,
    }


def _city(request) -> None:
    if not project_merges.may_merge(request.auth):
        raise PermissionDeniedError(_("Only the city may merge or undo a merge."))


@router.get("/projects/{project_id}/merge-preview", response={200: MergePreviewOut, **WRITE_ERRORS})
def project_merge_preview(request: HttpRequest, project_id: int, into: int):
    _city(request)
    merged = _visible_project(request, project_id)
    kept = _visible_project(request, into)
    return {"moves": project_merges.merge_preview(kept=kept, merged=merged)}


@router.post("/projects/{project_id}/merge", response={201: MergeOut, **WRITE_ERRORS})
def project_merge(request: HttpRequest, project_id: int, payload: MergeIn):
    """Merge this project into `into`: its records move there; it stays, merged (city roles)."""
    _city(request)
    merged = _visible_project(request, project_id)
    kept = _visible_project(request, payload.into)
    record = project_merges.project_merge(
        kept=kept, merged=merged, by=request.auth, reason=payload.reason
    )
    return HttpStatus(201, merge_data(record))


@router.post("/project-merges/{merge_id}/undo", response={200: MergeOut, **WRITE_ERRORS})
def project_unmerge(request: HttpRequest, merge_id: int):
    """Reverse a project merge exactly (city roles)."""
    _city(request)
    record = get_object_or_404(ProjectMerge, pk=merge_id)
    return merge_data(project_merges.project_unmerge(record=record, by=request.auth))


@router.get(
    "/companies/{company_id}/merge-preview", response={200: MergePreviewOut, **WRITE_ERRORS}
)
def company_merge_preview(request: HttpRequest, company_id: int, into: int):
    _city(request)
    merged = get_object_or_404(scoping.visible_companies(request.auth), pk=company_id)
    kept = get_object_or_404(scoping.visible_companies(request.auth), pk=into)
    return {"moves": company_merges.merge_preview(kept=kept, merged=merged)}


@router.post("/companies/{company_id}/merge", response={201: MergeOut, **WRITE_ERRORS})
def company_merge(request: HttpRequest, company_id: int, payload: MergeIn):
    """Merge this company into `into`: every record pointing at it moves (city roles)."""
    _city(request)
    merged = get_object_or_404(scoping.visible_companies(request.auth), pk=company_id)
    kept = get_object_or_404(
        scoping.visible_companies(request.auth, Company.objects.all()), pk=payload.into
    )
    record = company_merges.company_merge(
        kept=kept, merged=merged, by=request.auth, reason=payload.reason
    )
    return HttpStatus(201, merge_data(record))


@router.post("/company-merges/{merge_id}/undo", response={200: MergeOut, **WRITE_ERRORS})
def company_unmerge(request: HttpRequest, merge_id: int):
    """Reverse a company merge exactly (city roles)."""
    _city(request)
    record = get_object_or_404(CompanyMerge, pk=merge_id)
    return merge_data(company_merges.company_unmerge(record=record, by=request.auth))

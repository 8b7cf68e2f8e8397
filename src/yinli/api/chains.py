"""Industry chains: chains and their nodes, the chain map, classification of a text, and the
placements of a company (list, confirm, override).

Every signed-in user reads chains and placements (the registry is shared by the city); the
projects counted on a node are those the user may see. Only city roles (admin, analyst) confirm
or override a placement; others get 403.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status as HttpStatus

from yinli.chains import selectors, services
from yinli.chains.models import (
    Chain,
    ChainNode,
    CompanyNode,
    Decision,
    RelationKind,
    RelationSource,
    Segment,
    Source,
)
from yinli.core import scoping

from .schemas import READ_ERRORS, WRITE_ERRORS, Number, WriteSchema

router = Router(tags=["chains"])

SegmentCode = Literal[tuple(Segment.values)]
StrengthCode = Literal[tuple(selectors.STRENGTHS)]


class NodeOut(Schema):
    id: int
    version: int
    chain_id: int
    parent_id: int | None
    name: str
    segment: SegmentCode
    keywords: list[str]
    exclude_words: list[str]
    industry_codes: list[str]
    sort_order: int


class ChainOut(Schema):
    id: int
    version: int
    name: str
    description: str
    industries: list[str] = Field(description="Project industry directions of the chain.")
    sort_order: int


class ChainDetail(ChainOut):
    nodes: list[NodeOut]


class NodeCoverage(Schema):
    node: NodeOut
    local_companies: int = Field(description="Companies of the home city on the node.")
    registered_capital_wan: Number | None
    insured_staff: int | None
    projects: int = Field(description="Visible projects under negotiation or signed.")
    companies_elsewhere: int
    strength: StrengthCode


class ChainMap(Schema):
    chain: ChainOut
    rule: str = Field(description="How the strength of a node is rated.")
    nodes: list[NodeCoverage]


class ClassifyIn(WriteSchema):
    text: str = Field(description="A business scope (经营范围) and/or a company name.")
    code: str = Field("", description="A GB/T 4754 industry code, e.g. C3841.")
    chain_id: int | None = Field(None, description="Only the nodes of this chain.")


class ClassifyMatch(Schema):
    chain: str
    node: str
    node_id: int
    score: float
    matched: list[str]


class PlacementOut(Schema):
    node_id: int
    node: str
    chain_id: int
    chain: str
    score: Number
    matched: list[str]
    source: Literal[tuple(Source.values)]
    decision: Literal[tuple(Decision.values)]
    decided_by: str | None
    decided_at: datetime | None
    note: str


class DecisionIn(WriteSchema):
    note: str = Field("", max_length=300)


def node_data(node: ChainNode) -> dict:
    return {
        "id": node.pk,
        "version": node.version,
        "chain_id": node.chain_id,
        "parent_id": node.parent_id,
        "name": node.name,
        "segment": node.segment,
        "keywords": node.keyword_list,
        "exclude_words": node.exclude_list,
        "industry_codes": node.code_list,
        "sort_order": node.sort_order,
    }


def chain_data(chain: Chain) -> dict:
    return {
        "id": chain.pk,
        "version": chain.version,
        "name": chain.name,
        "description": chain.description,
        "industries": chain.industry_names,
        "sort_order": chain.sort_order,
    }


def placement_data(row: CompanyNode) -> dict:
    return {
        "node_id": row.node_id,
        "node": row.node.name,
        "chain_id": row.node.chain_id,
        "chain": row.node.chain.name,
        "score": row.score,
        "matched": row.matched or [],
        "source": row.source,
        "decision": row.decision,
        "decided_by": row.decided_by.username if row.decided_by else None,
        "decided_at": row.decided_at,
        "note": row.note,
    }


def _company(request: HttpRequest, company_id: int):
    from yinli.companies.models import Company

    return get_object_or_404(
        scoping.visible_companies(request.auth, Company.objects), pk=company_id
    )


def _node(node_id: int) -> ChainNode:
    node = ChainNode.objects.select_related("chain").filter(pk=node_id).first()
    if node is None or node.chain.deleted_at is not None:
        raise Http404
    return node


@router.get("/chains", response={200: list[ChainOut], **READ_ERRORS})
def chain_list(request: HttpRequest):
    """Every industry chain, in display order."""
    return [chain_data(c) for c in Chain.objects.order_by("sort_order", "name")]


@router.post("/chains/classify-text", response={200: list[ClassifyMatch], **WRITE_ERRORS})
def classify_text(request: HttpRequest, payload: ClassifyIn):
    """The nodes a business scope lands on, best first; an empty list when it lands nowhere.
    Nothing is stored."""
    chain = None
    if payload.chain_id is not None:
        chain = get_object_or_404(Chain.objects, pk=payload.chain_id)
    return services.classify_text(text=payload.text, code=payload.code, chain=chain)


@router.get("/chains/{chain_id}", response={200: ChainDetail, **READ_ERRORS})
def chain_detail(request: HttpRequest, chain_id: int):
    """A chain with all its nodes."""
    chain = get_object_or_404(Chain.objects, pk=chain_id)
    nodes = ChainNode.objects.filter(chain=chain).order_by("sort_order", "pk")
    return {**chain_data(chain), "nodes": [node_data(n) for n in nodes]}


@router.get("/chains/{chain_id}/map", response={200: ChainMap, **READ_ERRORS})
def chain_map(request: HttpRequest, chain_id: int):
    """The chain map: every node with its local companies, size, projects and strength."""
    chain = get_object_or_404(Chain.objects, pk=chain_id)
    data = selectors.chain_map(chain=chain, user=request.auth)
    return {
        "chain": chain_data(chain),
        "rule": str(data["rule"]),
        "nodes": [
            {
                "node": node_data(v.node),
                "local_companies": v.local,
                "registered_capital_wan": v.capital_wan,
                "insured_staff": v.staff,
                "projects": v.projects,
                "companies_elsewhere": v.elsewhere,
                "strength": v.strength,
            }
            for v in data["nodes"]
        ],
    }


@router.get("/chain-nodes/{node_id}", response={200: NodeOut, **READ_ERRORS})
def node_detail(request: HttpRequest, node_id: int):
    return node_data(_node(node_id))


@router.get(
    "/companies/{company_id}/chain-nodes", response={200: list[PlacementOut], **READ_ERRORS}
)
def company_placements(request: HttpRequest, company_id: int):
    """Where the company sits on the chains, overridden placements included (decision
    "rejected")."""
    company = _company(request, company_id)
    rows = (
        CompanyNode.objects.filter(
            company=company, node__deleted_at__isnull=True, node__chain__deleted_at__isnull=True
        )
        .select_related("node__chain", "decided_by")
        .order_by("-score", "node__chain__sort_order", "node__sort_order")
    )
    return [placement_data(r) for r in rows]


@router.post(
    "/companies/{company_id}/chain-nodes/{node_id}/confirm",
    response={200: PlacementOut, **WRITE_ERRORS},
)
def confirm_placement(request: HttpRequest, company_id: int, node_id: int, payload: DecisionIn):
    """The company is on this node (adds it by hand when the classifier did not place it).
    Later classification runs keep it."""
    row = services.confirm_placement(
        company=_company(request, company_id),
        node=_node(node_id),
        by=request.auth,
        note=payload.note,
    )
    return placement_data(
        CompanyNode.objects.select_related("node__chain", "decided_by").get(pk=row.pk)
    )


@router.post(
    "/companies/{company_id}/chain-nodes/{node_id}/override",
    response={200: PlacementOut, **WRITE_ERRORS},
)
def override_placement(request: HttpRequest, company_id: int, node_id: int, payload: DecisionIn):
    """The company is not on this node; later classification runs do not put it back."""
    row = services.override_placement(
        company=_company(request, company_id),
        node=_node(node_id),
        by=request.auth,
        note=payload.note,
    )
    return placement_data(
        CompanyNode.objects.select_related("node__chain", "decided_by").get(pk=row.pk)
    )


# --- targets, target lists, relationships ------------------------------------------------


class ScorePart(Schema):
    key: str
    label: str
    points: Number
    detail: str


class TieOut(Schema):
    id: int = Field(description="The home-city company.")
    name: str
    kind: str


class ChainTargetOut(Schema):
    company_id: int
    company: str
    credit_code: str
    region: str
    score: Number = Field(description="The sum of the parts (chains.targets, SCORE_RULE).")
    parts: dict[str, Number] = Field(
        description="Points by part: fit, capital, staff, region_group, distance, age, growth, "
        "ties."
    )
    explain: list[ScorePart]
    matched: list[str]
    ties: list[TieOut] = Field(description="Relationships with home-city companies (以商引商).")
    visited: bool = Field(description="A visit the user may see was made to the company.")
    project_ids: list[int] = Field(description="The company's projects the user may see.")


class TargetRanking(Schema):
    node: NodeOut
    rule: str
    targets: list[ChainTargetOut]


def target_data(target) -> dict:
    return {
        "company_id": target.company.pk,
        "company": target.company.name,
        "credit_code": target.credit_code,
        "region": target.region_name,
        "score": target.score,
        "parts": target.parts,
        "explain": target.explain(),
        "matched": target.matched,
        "ties": target.ties,
        "visited": target.visited,
        "project_ids": target.project_ids,
    }


@router.get("/chain-nodes/{node_id}/targets", response={200: TargetRanking, **READ_ERRORS})
def node_targets(request: HttpRequest, node_id: int, limit: int = 50):
    """The node's targets: companies outside the home city placed on it, best first, each score
    explained part by part. `limit` is 1 to 1000."""
    from yinli.chains import targets

    node = _node(node_id)
    found = targets.rank_targets(node=node, user=request.auth, limit=max(1, min(limit, 1000)))
    return {
        "node": node_data(node),
        "rule": targets.score_rule(),
        "targets": [target_data(t) for t in found],
    }


class TargetListIn(WriteSchema):
    node_id: int
    team_id: int = Field(description="The unit the list is assigned to.")
    company_ids: list[int] = Field(description="Companies among the node's targets.")
    name: str = Field("", max_length=100)
    note: str = ""


class TargetListOut(Schema):
    id: int
    version: int
    name: str
    node_id: int
    node: str
    chain: str
    team_id: int
    team: str
    note: str
    created_at: datetime
    created_by: str | None
    targets: int
    leads: int


class TargetItemOut(Schema):
    id: int
    rank: int
    company_id: int
    company: str
    credit_code: str
    region: str
    score: Number
    parts: dict[str, Number]
    visits: int = Field(description="Visits the user may see.")
    last_visited_on: date | None
    project_ids: list[int] = Field(description="The company's projects the user may see.")
    lead_project_id: int | None = Field(description="The lead made from this row, if any.")


class TargetListDetail(TargetListOut):
    items: list[TargetItemOut]


class TargetLeadIn(WriteSchema):
    district_id: int | None = Field(
        None, description="Needed only when the list's team belongs to no district."
    )


class TargetLeadOut(Schema):
    project_id: int
    name: str


def target_list_data(target_list) -> dict:
    items = list(target_list.items.all())
    return {
        "id": target_list.pk,
        "version": target_list.version,
        "name": target_list.name,
        "node_id": target_list.node_id,
        "node": target_list.node.name,
        "chain": target_list.node.chain.name,
        "team_id": target_list.team_id,
        "team": target_list.team.name,
        "note": target_list.note,
        "created_at": target_list.created_at,
        "created_by": target_list.created_by.username if target_list.created_by else None,
        "targets": len(items),
        "leads": sum(1 for i in items if i.project_id),
    }


def _target_list(request: HttpRequest, list_id: int):
    from yinli.chains import scoping as chain_scoping

    return get_object_or_404(
        chain_scoping.visible_target_lists(request.auth).select_related(
            "node__chain", "team", "created_by"
        ),
        pk=list_id,
    )


def _list_detail(request: HttpRequest, target_list) -> dict:
    from yinli.chains import target_lists

    rows = target_lists.list_rows(target_list=target_list, user=request.auth)
    return {
        **target_list_data(target_list),
        "items": [
            {
                "id": r.item.pk,
                "rank": r.item.rank,
                "company_id": r.company.pk,
                "company": r.company.name,
                "credit_code": r.company.uscc or "",
                "region": r.company.region.full_name if r.company.region_id else "",
                "score": r.item.score,
                "parts": {k: Decimal(str(v)) for k, v in r.item.parts.items()},
                "visits": r.visits,
                "last_visited_on": r.visited_on,
                "project_ids": [p.pk for p in r.projects],
                "lead_project_id": r.item.project_id,
            }
            for r in rows
        ],
    }


@router.get("/target-lists", response={200: list[TargetListOut], **READ_ERRORS})
def target_list_list(request: HttpRequest, scope: Literal["all", "mine", "team"] = "all"):
    """Target lists the user may see: every one (`all`), those she made (`mine`), or those of
    her unit and the units under it (`team`). A list belongs to its team: the team, its
    district and the city see it."""
    from yinli.chains import target_lists

    lists = target_lists.lists_for(request.auth, scope=scope).select_related("created_by")
    return [target_list_data(t) for t in lists.prefetch_related("items")]


@router.post("/target-lists", response={201: TargetListDetail, **WRITE_ERRORS})
def target_list_create(request: HttpRequest, payload: TargetListIn):
    """Save chosen targets of a node as a list assigned to a team (one the user may assign)."""
    from yinli.chains import target_lists
    from yinli.core.models import OrgUnit

    node = _node(payload.node_id)
    team = get_object_or_404(OrgUnit.objects, pk=payload.team_id)
    saved = target_lists.target_list_create(
        node=node,
        team=team,
        company_ids=payload.company_ids,
        by=request.auth,
        name=payload.name,
        note=payload.note,
    )
    return HttpStatus(201, _list_detail(request, _target_list(request, saved.pk)))


@router.get("/target-lists/{list_id}", response={200: TargetListDetail, **READ_ERRORS})
def target_list_detail(request: HttpRequest, list_id: int):
    """A list with its targets: score parts as saved, visits and projects as they stand."""
    return _list_detail(request, _target_list(request, list_id))


@router.get(
    "/target-lists/{list_id}/export",
    response={200: None, **READ_ERRORS},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The list as an Excel workbook (Chinese headers, score parts).",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}
                },
            }
        }
    },
)
def target_list_export(request: HttpRequest, list_id: int):
    from urllib.parse import quote

    from django.http import HttpResponse

    from yinli.chains import target_lists

    target_list = _target_list(request, list_id)
    response = HttpResponse(
        target_lists.export_workbook(target_list=target_list, user=request.auth),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = quote(target_lists.export_filename(target_list))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@router.post(
    "/target-lists/{list_id}/items/{item_id}/lead",
    response={201: TargetLeadOut, **WRITE_ERRORS},
)
def target_item_lead(request: HttpRequest, list_id: int, item_id: int, payload: TargetLeadIn):
    """Turn a target into a lead (线索) in one step: the list's team responsible, its district,
    the chain's industry direction; 以商引商 when the company is tied to a local one."""
    from yinli.chains import target_lists
    from yinli.core.models import OrgUnit

    target_list = _target_list(request, list_id)
    item = get_object_or_404(target_list.items.select_related("company"), pk=item_id)
    district = (
        get_object_or_404(OrgUnit.objects, pk=payload.district_id) if payload.district_id else None
    )
    project = target_lists.target_make_lead(item=item, by=request.auth, district=district)
    return HttpStatus(201, {"project_id": project.pk, "name": project.name})


RelationKindCode = Literal[tuple(RelationKind.values)]


class RelationshipIn(WriteSchema):
    company_id: int = Field(description="Company A.")
    other_id: int = Field(description="Company B.")
    kind: RelationKindCode = Field(
        description="A is B's supplier, customer, shareholder or partner."
    )
    started_on: date | None = None
    ended_on: date | None = None
    note: str = Field("", max_length=300)


class RelationshipOut(Schema):
    id: int
    version: int
    company_id: int
    company: str
    other_id: int
    other: str
    kind: RelationKindCode
    sentence: str
    source: Literal[tuple(RelationSource.values)]
    started_on: date | None
    ended_on: date | None
    note: str


def relationship_data(rel) -> dict:
    from yinli.chains.relationships import describe

    return {
        "id": rel.pk,
        "version": rel.version,
        "company_id": rel.company_id,
        "company": rel.company.name,
        "other_id": rel.other_id,
        "other": rel.other.name,
        "kind": rel.kind,
        "sentence": describe(rel),
        "source": rel.source,
        "started_on": rel.started_on,
        "ended_on": rel.ended_on,
        "note": rel.note,
    }


@router.get("/relationships", response={200: list[RelationshipOut], **READ_ERRORS})
def relationship_list(request: HttpRequest, company_id: int | None = None, limit: int = 500):
    """Company relationships, newest first; with `company_id` those of one company (either
    side). At most `limit` (1 to 5000)."""
    from django.db.models import Q

    from yinli.chains import relationships

    rows = relationships.live().select_related("company", "other")
    if company_id is not None:
        company = _company(request, company_id)
        rows = rows.filter(Q(company=company) | Q(other=company))
    rows = rows.order_by("-created_at", "-pk")[: max(1, min(limit, 5000))]
    return [relationship_data(r) for r in rows]


@router.post("/relationships", response={201: RelationshipOut, **WRITE_ERRORS})
def relationship_create(request: HttpRequest, payload: RelationshipIn):
    """Record that company A is B's supplier, customer, shareholder or partner."""
    from yinli.chains import relationships

    rel = relationships.relationship_create(
        company=_company(request, payload.company_id),
        other=_company(request, payload.other_id),
        kind=payload.kind,
        by=request.auth,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        note=payload.note,
    )
    return HttpStatus(201, relationship_data(rel))

"""Industry chains: chains and their nodes, the chain map, classification of a text, and the
placements of a company (list, confirm, override).

Every signed-in user reads chains and placements (the registry is shared by the city); the
projects counted on a node are those the user may see. Only city roles (admin, analyst) confirm
or override a placement; others get 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from yinli.chains import selectors, services
from yinli.chains.models import Chain, ChainNode, CompanyNode, Decision, Segment, Source
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

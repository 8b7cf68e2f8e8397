"""The demo city's company relationships and target lists (以商引商 and 招商清单).

After the enterprise base is loaded and classified, some home-city companies on a chain get
suppliers, customers, partners and a few shareholders among the companies elsewhere on the same
chain — the ties the chain map lists under "partners elsewhere" and the target ranking rewards.
Which link a pair gets follows the chain: a company on an earlier segment (上游 before 中游 before
下游) supplies one on a later segment; the same segment makes partners.

Then two target lists are saved from the rankings, as an analyst would: the best targets of the
node with the most candidates on the first chain of the 新能源 team, assigned to that team, and
the same for the first chain of the 北京 liaison office's industry, assigned to the office.

Everything goes through the chains services (relationship_create, target_list_create), with its
own random stream seeded with the demo seed, so nothing else of the demo moves.
"""

from __future__ import annotations

import random
from collections import defaultdict

from django.db.models import Count

from yinli.chains.models import Chain, ChainNode, CompanyNode, Decision, RelationKind, Segment
from yinli.chains.relationships import relationship_create
from yinli.chains.target_lists import target_list_create
from yinli.chains.targets import home_company_ids, rank_targets
from yinli.core.models import OrgUnit

# How many home-city companies get ties, and how many ties each (inclusive bounds).
LOCAL_WITH_TIES = 40
TIES_PER_COMPANY = (1, 4)
SHAREHOLDER_SHARE = 0.1
# Target lists: (the unit's code before the reorganisation, its chain's industry, list size).
LISTS = [("jk-old-energy", "新能源及新型电力装备", 15), ("beijing-office", "生物医药及大健康", 12)]
ORDER = {Segment.UPSTREAM: 0, Segment.MIDSTREAM: 1, Segment.DOWNSTREAM: 2}


def _placements() -> tuple[dict[int, list[tuple[int, int]]], dict[int, list[tuple[int, int]]]]:
    """chain id → [(company id, node id)] for the home city's companies and for the others."""
    local_ids = set(home_company_ids().values_list("pk", flat=True))
    local: dict[int, list[tuple[int, int]]] = defaultdict(list)
    elsewhere: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        CompanyNode.objects.exclude(decision=Decision.REJECTED)
        .filter(company__merged_into__isnull=True, company__deleted_at__isnull=True)
        .order_by("company_id", "node_id")
        .values_list("company_id", "node_id", "node__chain_id")
    )
    for company_id, node_id, chain_id in rows:
        side = local if company_id in local_ids else elsewhere
        side[chain_id].append((company_id, node_id))
    return local, elsewhere


def _kind(rng: random.Random, mine: ChainNode, theirs: ChainNode) -> tuple[str, bool]:
    """(kind, whether the local company is company A) for a pair of nodes."""
    if rng.random() < SHAREHOLDER_SHARE:
        return RelationKind.SHAREHOLDER, False  # the company elsewhere holds shares here
    a, b = ORDER.get(mine.segment, 1), ORDER.get(theirs.segment, 1)
    if a == b:
        return RelationKind.PARTNER, True
    if b < a:
        return RelationKind.SUPPLIER, False  # theirs supplies mine
    return RelationKind.SUPPLIER, True


def build_links(*, rng: random.Random, by) -> int:
    from yinli.companies.models import Company

    local, elsewhere = _placements()
    chains = sorted(c for c in local if elsewhere.get(c))
    if not chains:
        return 0
    nodes = {n.pk: n for n in ChainNode.objects.filter(chain_id__in=chains)}
    pairs = [(chain, company, node) for chain in chains for company, node in local[chain]]
    rng.shuffle(pairs)
    chosen, seen = [], set()
    for chain, company, node in pairs:
        if company not in seen:
            seen.add(company)
            chosen.append((chain, company, node))
        if len(chosen) >= LOCAL_WITH_TIES:
            break
    companies = Company.objects.in_bulk(
        {c for _ch, c, _n in chosen} | {c for chain in chains for c, _n in elsewhere[chain]}
    )
    made: set[tuple[int, int, str]] = set()
    for chain, company_id, node_id in sorted(chosen):
        for other_id, other_node in rng.sample(
            elsewhere[chain], min(len(elsewhere[chain]), rng.randint(*TIES_PER_COMPANY))
        ):
            kind, local_first = _kind(rng, nodes[node_id], nodes[other_node])
            a, b = (company_id, other_id) if local_first else (other_id, company_id)
            if (a, b, kind) in made or a == b:
                continue
            made.add((a, b, kind))
            relationship_create(
                company=companies[a],
                other=companies[b],
                kind=kind,
                by=by,
                started_on=None,
                note="演示数据",
            )
    return len(made)


def _current(unit: OrgUnit) -> OrgUnit:
    while unit.valid_to is not None and unit.successor_id:
        unit = unit.successor
    return unit


def build_lists(*, by) -> tuple[int, int]:
    lists = items = 0
    for code, industry, size in LISTS:
        unit = OrgUnit.objects.filter(code=code).first()
        chain_ids = [
            c.pk for c in Chain.objects.order_by("sort_order", "pk") if industry in c.industry_names
        ]
        node = (
            ChainNode.objects.filter(chain_id__in=chain_ids)
            .annotate(placed=Count("companies"))
            .filter(placed__gt=0)
            .order_by("-placed", "pk")
            .first()
            if unit is not None
            else None
        )
        if node is None:
            continue
        targets = rank_targets(node=node, limit=size)
        if not targets:
            continue
        target_list_create(
            node=node,
            team=_current(unit),
            company_ids=[t.company.pk for t in targets],
            by=by,
            name=f"{node.chain.name}·{node.name} 重点目标企业",
            note="演示数据：按目标评分选出的前列企业",
        )
        lists += 1
        items += len(targets)
    return lists, items


def build_chain_links(*, seed: int, users: dict) -> dict[str, int]:
    rng = random.Random(f"{seed}-chain-links")
    links = build_links(rng=rng, by=users["admin"])
    lists, items = build_lists(by=users["analyst"])
    return {"relationships": links, "target_lists": lists, "target_items": items}

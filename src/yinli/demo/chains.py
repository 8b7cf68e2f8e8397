"""The demo city's companies on the industry chains.

The planner gives every company of an industry the same business scope (words.json "scopes").
Here each company whose industry belongs to a chain gets an invented scope of its own, written
from the keywords of one or two nodes of that chain, in the usual wording of a registry's
经营范围 with its boilerplate; then every company is classified.

A separate random generator per company (seeded with the demo seed and the company's name)
keeps the projects' random streams untouched and the result independent of build order. Local
companies are spread over the nodes with uneven weights, some nodes none, so that the chain map
shows strong links and gaps; companies elsewhere are spread evenly (the targets of later work).
"""

from __future__ import annotations

import random

from django.apps import apps
from django.conf import settings

from yinli.chains.loading import load_chains
from yinli.chains.models import Chain, ChainNode
from yinli.chains.services import classify_companies
from yinli.companies.models import Company

from .naming import words

BOILERPLATE = (
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；货物进出口；技术进出口"
    "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
)
ACTIVITIES = ["研发、制造、销售", "研发、生产", "生产、销售", "设计、研发、制造", "制造、加工"]
# How often a node receives local companies: a node drawing 0 is a gap of the demo city.
LOCAL_WEIGHTS = [0, 0, 1, 1, 2, 3, 5, 8]


def _scope(rng: random.Random, nodes: list[ChainNode]) -> str:
    items = []
    for node in nodes:
        keywords = node.keyword_list
        picked = rng.sample(keywords, k=min(len(keywords), rng.choice([1, 1, 2])))
        items.append(f"{'、'.join(picked)}{rng.choice(ACTIVITIES)}")
    head = "一般项目：" if rng.random() < 0.6 else ""
    return f"{head}{'；'.join(items)}；{BOILERPLATE}"


def _chain_for(rng: random.Random, name: str, chains: list[Chain], nodes) -> Chain:
    """The chain whose keywords the company's name echoes most (光伏科技 → 光伏), else any."""

    def echo(chain: Chain) -> int:
        hints = {chain.name, *(w[:2] for n in nodes[chain.pk] for w in n.keyword_list)}
        return sum(1 for hint in hints if len(hint) >= 2 and hint in name)

    best = max(echo(c) for c in chains)
    return rng.choice([c for c in chains if echo(c) == best])


def build_chains(*, seed: int) -> dict[str, int]:
    if not Chain.all_objects.exists():
        load_chains()
    chains = list(Chain.objects.order_by("sort_order", "pk"))
    nodes: dict[int, list[ChainNode]] = {c.pk: [] for c in chains}
    for node in ChainNode.objects.filter(chain__in=chains).order_by("sort_order", "pk"):
        nodes[node.chain_id].append(node)
    by_industry: dict[str, list[Chain]] = {}
    for chain in chains:
        for industry in chain.industry_names:
            by_industry.setdefault(industry, []).append(chain)
    industry_of_scope = {scope: industry for industry, scope in words()["scopes"].items()}
    weights = {}
    for chain in chains:
        chain_rng = random.Random(f"{seed}-chain-{chain.name}")
        weights[chain.pk] = [chain_rng.choice(LOCAL_WEIGHTS) for _ in nodes[chain.pk]]
        if not any(weights[chain.pk]):
            weights[chain.pk][0] = 1
    home = settings.HOME_REGION
    changed = []
    for pk, name, scope, city in Company.objects.order_by("pk").values_list(
        "pk", "name", "business_scope", "region__city__code"
    ):
        candidates = by_industry.get(industry_of_scope.get(scope, ""), [])
        if not candidates:
            continue
        rng = random.Random(f"{seed}-scope-{name}")
        chain = _chain_for(rng, name, candidates, nodes)
        pool = nodes[chain.pk]
        if city == home:
            picked = rng.choices(pool, weights=weights[chain.pk], k=1)
        else:
            picked = [rng.choice(pool)]
        if rng.random() < 0.25:
            extra = rng.choice(pool)
            if extra not in picked and (city != home or weights[chain.pk][pool.index(extra)]):
                picked.append(extra)
        changed.append(Company(pk=pk, business_scope=_scope(rng, picked)))
    Company.objects.bulk_update(changed, ["business_scope"], batch_size=500)
    # The creation records carry the scope too: the history shows no change the demo never made.
    history = apps.get_model("companies", "HistoricalCompany")
    scopes = {c.pk: c.business_scope for c in changed}
    records = [
        r
        for r in history.objects.filter(history_type="+").only("history_id", "id")
        if r.id in scopes
    ]
    for record in records:
        record.business_scope = scopes[record.id]
    history.objects.bulk_update(records, ["business_scope"], batch_size=500)
    counts = classify_companies()
    return {
        "company_scopes": len(changed),
        "chain_placements": counts["placements"],
        "companies_on_chains": counts["placed_companies"],
    }

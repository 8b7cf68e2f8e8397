"""Reads of the chains app: the chain map (local coverage, projects, strength) and node pages.

Local companies: companies of the home city (settings.HOME_REGION) — their region is the city or
one of its counties — and companies without a region whose registry record (CompanyProfile)
places them here or that registered a project here (a project at 注册 or later). Projects are those the reader may see (scoping.visible_projects), progressing,
under negotiation or signed (洽谈 and every stage from 签约 on).

Strength of a node (STRENGTH_RULE, shown on the page):
- strong (强): at least STRONG_AT local companies;
- present (有): PRESENT_AT to STRONG_AT − 1 local companies;
- weak (弱): one local company, or none but at least one project under way;
- missing (缺): no local company and no project.
A parent node counts the companies and projects of its whole subtree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from yinli.companies.models import Company
from yinli.core import scoping
from yinli.projects.models import Industry, Project, Stage, Status, stage_rank

from .models import SEGMENT_ORDER, Chain, ChainNode, CompanyNode, Decision, Segment

STRONG_AT = 5
PRESENT_AT = 2

STRENGTHS = {
    "strong": _("Strong"),
    "present": _("Present"),
    "weak": _("Weak"),
    "missing": _("Missing"),
}
STRENGTH_RULE = _(
    "Strong: %(strong)s or more local companies. Present: %(present)s to %(below)s. Weak: one "
    "local company, or none but a project under negotiation or signed. Missing: no local company "
    "and no project."
) % {"strong": STRONG_AT, "present": PRESENT_AT, "below": STRONG_AT - 1}

PIPELINE_STAGES = [Stage.NEGOTIATING] + [
    s for s in Stage.values if stage_rank(s) >= stage_rank(Stage.SIGNED)
]
REGISTERED_STAGES = [s for s in Stage.values if stage_rank(s) >= stage_rank(Stage.REGISTERED)]


def strength(local: int, projects: int) -> str:
    if local >= STRONG_AT:
        return "strong"
    if local >= PRESENT_AT:
        return "present"
    if local == 1 or projects:
        return "weak"
    return "missing"


def local_companies(queryset: QuerySet | None = None) -> QuerySet:
    """Companies of the home city (see the module docstring)."""
    queryset = Company.objects.all() if queryset is None else queryset
    home = settings.HOME_REGION
    registered_here = Project.objects.filter(company=OuterRef("pk"), stage__in=REGISTERED_STAGES)
    return queryset.filter(
        Q(region__code=home)
        | Q(region__city__code=home)
        | Q(region__isnull=True) & Q(profile__registry_region__city__code=home)
        | Q(region__isnull=True) & Exists(registered_here)
    ).filter(merged_into__isnull=True)


def placed_rows(chain: Chain) -> QuerySet:
    """The chain's placements that stand (not overridden), on live nodes and companies."""
    return CompanyNode.objects.filter(
        node__chain=chain,
        node__deleted_at__isnull=True,
        company__deleted_at__isnull=True,
        company__merged_into__isnull=True,
    ).exclude(decision=Decision.REJECTED)


def pipeline_projects(user) -> QuerySet:
    return scoping.visible_projects(user).filter(
        stage__in=PIPELINE_STAGES, status=Status.ACTIVE, merged_into__isnull=True
    )


def chain_industries(chain: Chain) -> QuerySet:
    return Industry.objects.filter(name__in=chain.industry_names)


@dataclass
class NodeView:
    node: ChainNode
    depth: int = 0
    local: int = 0
    capital_wan: Decimal | None = None
    staff: int | None = None
    projects: int = 0
    elsewhere: int = 0
    strength: str = "missing"
    children: list[NodeView] = field(default_factory=list)

    @property
    def strength_label(self) -> str:
        return str(STRENGTHS[self.strength])

    @property
    def stands_out(self) -> bool:
        return self.strength in ("weak", "missing")


def _subtrees(nodes: list[ChainNode]) -> dict[int, set[int]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node.pk)
    result = {}
    for node in nodes:
        found, todo = {node.pk}, [node.pk]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        result[node.pk] = found
    return result


def node_projects(user, chain: Chain) -> dict[int, set[int]]:
    """Visible pipeline projects per node: {node id: {project ids}} (through the project's
    company being on the node)."""
    placed = placed_rows(chain)
    found = list(
        pipeline_projects(user)
        .filter(company_id__in=placed.values("company_id"))
        .values_list("pk", "company_id")
    )
    nodes_of: dict[int, set[int]] = defaultdict(set)
    for company_id, node_id in placed.filter(
        company_id__in={company_id for _pk, company_id in found}
    ).values_list("company_id", "node_id"):
        nodes_of[company_id].add(node_id)
    result: dict[int, set[int]] = defaultdict(set)
    for project_id, company_id in found:
        for node_id in nodes_of[company_id]:
            result[node_id].add(project_id)
    return result


@dataclass
class Placements:
    local: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    elsewhere: dict[int, int] = field(default_factory=dict)


def placements_by_chain(chain: Chain | None = None) -> dict[int, Placements]:
    """chain id → its standing placements, split into the home city's companies per node and a
    count of the companies elsewhere per node — one pass over the placements (of one chain, or
    of every chain for the index page and the home panel), the local companies found through the
    region index (chains.targets.home_company_ids, the same set as local_companies())."""
    from .targets import home_company_ids

    local = set(home_company_ids().values_list("pk", flat=True))
    rows = CompanyNode.objects.filter(
        node__deleted_at__isnull=True,
        company__deleted_at__isnull=True,
        company__merged_into__isnull=True,
    ).exclude(decision=Decision.REJECTED)
    if chain is not None:
        rows = rows.filter(node__chain=chain)
    result: dict[int, Placements] = {}
    elsewhere_sets: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for chain_id, node_id, company_id in rows.values_list(
        "node__chain_id", "node_id", "company_id"
    ):
        placed = result.setdefault(chain_id, Placements())
        if company_id in local:
            placed.local[node_id].add(company_id)
        else:
            elsewhere_sets[chain_id][node_id].add(company_id)
    for chain_id, per_node in elsewhere_sets.items():
        result[chain_id].elsewhere = {node_id: len(ids) for node_id, ids in per_node.items()}
    return result


def chain_map(*, chain: Chain, user, placements: dict[int, Placements] | None = None) -> dict:
    """Every node of the chain by segment, with local coverage, projects and strength.

    ``placements`` (from :func:`placements_by_chain` for every chain) saves the pass over the
    placements when several chains are mapped at once."""
    nodes = list(ChainNode.objects.filter(chain=chain).order_by("sort_order", "pk"))
    subtrees = _subtrees(nodes)
    if placements is None:
        placements = placements_by_chain(chain)
    placed = placements.get(chain.pk) or Placements()
    pairs = placed.local
    elsewhere = placed.elsewhere
    projects = node_projects(user, chain)
    all_local = set().union(*pairs.values()) if pairs else set()
    sizes = {
        row["pk"]: row
        for row in Company.objects.filter(pk__in=all_local).values(
            "pk", "registered_capital", "insured_staff"
        )
    }
    views: dict[int, NodeView] = {}
    for node in nodes:
        subtree = subtrees[node.pk]
        companies = set().union(*(pairs.get(pk, set()) for pk in subtree))
        project_ids = set().union(*(projects.get(pk, set()) for pk in subtree))
        capital = [sizes[c]["registered_capital"] for c in companies]
        staff = [sizes[c]["insured_staff"] for c in companies]
        known_capital = [c for c in capital if c is not None]
        known_staff = [s for s in staff if s is not None]
        views[node.pk] = NodeView(
            node=node,
            local=len(companies),
            capital_wan=sum(known_capital, Decimal(0)) if known_capital else None,
            staff=sum(known_staff) if known_staff else None,
            projects=len(project_ids),
            elsewhere=sum(elsewhere.get(pk, 0) for pk in subtree),
            strength=strength(len(companies), len(project_ids)),
        )
    roots = []
    for node in nodes:
        view = views[node.pk]
        if node.parent_id and node.parent_id in views:
            views[node.parent_id].children.append(view)
        else:
            roots.append(view)

    def set_depth(view: NodeView, depth: int) -> None:
        view.depth = depth
        for child in view.children:
            set_depth(child, depth + 1)

    for view in roots:
        set_depth(view, 0)
    segments = []
    labels = dict(Segment.choices)
    for segment in SEGMENT_ORDER:
        items = [v for v in roots if v.node.segment == segment]
        segments.append({"key": segment, "label": labels[segment], "nodes": items})
    flat = list(views.values())
    counts = {key: sum(1 for v in flat if v.strength == key) for key in STRENGTHS}
    on_nodes = set().union(*projects.values()) if projects else set()
    anywhere = CompanyNode.objects.exclude(decision=Decision.REJECTED).values("company_id")
    chain_projects = (
        pipeline_projects(user)
        .filter(industry__in=chain_industries(chain))
        .exclude(company_id__in=anywhere)
    )
    return {
        "chain": chain,
        "segments": segments,
        "nodes": flat,
        "counts": counts,
        "local_companies": len(all_local),
        "projects_on_nodes": len(on_nodes),
        "unplaced_projects": chain_projects.select_related("company", "district").order_by(
            "-first_signed_on", "-pk"
        ),
        "rule": STRENGTH_RULE,
    }


def chain_summaries(*, user) -> list[dict]:
    """The chains with their counts, for the index page."""
    result = []
    placements = placements_by_chain()
    for chain in Chain.objects.order_by("sort_order", "name"):
        data = chain_map(chain=chain, user=user, placements=placements)
        result.append(
            {
                "chain": chain,
                "nodes": len(data["nodes"]),
                "local_companies": data["local_companies"],
                "projects": data["projects_on_nodes"],
                "counts": data["counts"],
            }
        )
    return result


def node_companies(*, node: ChainNode, local: bool = True) -> QuerySet:
    """The node's placements (overridden ones included, for review), with their companies."""
    rows = CompanyNode.objects.filter(
        node=node, company__deleted_at__isnull=True, company__merged_into__isnull=True
    ).select_related("company", "company__region", "decided_by")
    local_ids = local_companies().values("pk")
    rows = (
        rows.filter(company_id__in=local_ids) if local else rows.exclude(company_id__in=local_ids)
    )
    return rows.order_by("-score", "company__name")


def node_project_list(*, node: ChainNode, user) -> QuerySet:
    companies = (
        CompanyNode.objects.filter(node=node)
        .exclude(decision=Decision.REJECTED)
        .values("company_id")
    )
    return (
        pipeline_projects(user)
        .filter(company_id__in=companies)
        .select_related("company", "district", "industry")
        .order_by("-first_signed_on", "-pk")
    )


def node_totals(*, node: ChainNode) -> dict:
    rows = node_companies(node=node).exclude(decision=Decision.REJECTED)
    return rows.aggregate(
        companies=Count("company_id", distinct=True),
        capital=Sum("company__registered_capital"),
        staff=Sum("company__insured_staff"),
    )

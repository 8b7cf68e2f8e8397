"""Targets (招商目标) for a chain node: companies elsewhere that fit it, ranked by a score.

A target is a company placed on the node or a node under it (CompanyNode, not overridden),
outside the home city (selectors.local_companies), live (not merged, not deleted, not
deregistered: 注销 / 吊销 / 撤销). Its score is the sum of these parts (SCORE_RULE, shown on the
page and in every "explain"):

- fit (匹配度): 10 points per point of classification score, at most 30;
- scale (规模): registered capital 3 × log10(1 + 万元), at most 15 (1亿元 ≈ 12); insured staff
  2.5 × log10(1 + people), at most 10 (100 people = 5);
- region group (区域): 20 points when the company lies in a preferred region group
  (settings.CHAINS_TARGET_REGION_GROUPS, default 长三角);
- distance (距离): 10 × (1 − km / 2000) from the home city, at least 0 (great circle between the
  coordinates of the region, else its city or province; 0 when unknown);
- age (成立年限): 10 points from 10 years on, 7 from 5, 4 from 3, 1 from 1, else 0;
- growth (成长性): the enterprise base holds one snapshot, no yearly capital or staff: not scored
  (0), and the explain says so;
- ties (以商引商): a relationship (supplier, customer, shareholder, partner) with a home-city
  company: 15 points for the first, 5 for each further one, at most 25.

How it stays fast at millions of companies: the query starts from the node's placements (index
on node) and never reads other companies; every part but the ties is an expression over the
company's and its region's columns, summed, ordered and cut to the limit in the database. Home-
city companies are found through the home city's region ids (index on region). Ties are few (a
relationship with a home-city company): their counts come from one grouped query, the tied
candidates are scored in a second, small query, and the two rankings are merged — exact, with
no per-row subquery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import (
    ASin,
    Cast,
    Coalesce,
    Cos,
    Greatest,
    Least,
    Ln,
    Power,
    Radians,
    Sin,
    Sqrt,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinli.companies.models import Company
from yinli.core.models import Region, RegionGroup
from yinli.fieldwork.distance import EARTH_RADIUS_KM

from .models import ChainNode, CompanyNode, Decision, Relationship
from .selectors import _subtrees, local_companies

FIT_PER_POINT = 10.0
FIT_MAX = 30.0
CAPITAL_FACTOR = 3.0
CAPITAL_MAX = 15.0
STAFF_FACTOR = 2.5
STAFF_MAX = 10.0
GROUP_POINTS = 20.0
DISTANCE_POINTS = 10.0
DISTANCE_ZERO_KM = 2000.0
AGE_STEPS = ((10, 10.0), (5, 7.0), (3, 4.0), (1, 1.0))
TIE_FIRST = 15.0
TIE_MORE = 5.0
TIE_MAX = 25.0
DEFAULT_GROUPS = "长三角"
DEAD_STATUSES = ("注销", "吊销", "撤销", "已注销", "已吊销", "已撤销")

PARTS = ["fit", "capital", "staff", "region_group", "distance", "age", "growth", "ties"]
PART_LABELS = {
    "fit": gettext_lazy("Fit"),
    "capital": gettext_lazy("Registered capital"),
    "staff": gettext_lazy("Insured staff"),
    "region_group": gettext_lazy("Region group"),
    "distance": gettext_lazy("Distance"),
    "age": gettext_lazy("Age"),
    "growth": gettext_lazy("Growth"),
    "ties": gettext_lazy("Ties to local companies"),
}
SCORE_RULE = gettext_lazy(
    "Score = fit (10 per classification point, at most 30) + registered capital (3 × log10(1 + "
    "10k yuan), at most 15) + insured staff (2.5 × log10(1 + people), at most 10) + 20 in a "
    "preferred region group (%(groups)s) + distance (10 × (1 − km / 2000), at least 0) + age (10 "
    "from 10 years, 7 from 5, 4 from 3, 1 from 1) + ties to local companies (15 for the first "
    "relationship, 5 for each further one, at most 25). Growth is not scored: the enterprise base "
    "holds no yearly figures."
)
LN10 = math.log(10)
REGION_JOINS = (
    "company",
    "company__region",
    "company__region__city",
    "company__region__city__province",
    "company__region__province",
    "company__region__parent",
)


def preferred_group_names() -> list[str]:
    text = getattr(settings, "CHAINS_TARGET_REGION_GROUPS", DEFAULT_GROUPS) or ""
    return [w.strip() for w in text.replace("，", ",").split(",") if w.strip()]


def score_rule() -> str:
    return str(SCORE_RULE) % {"groups": "、".join(preferred_group_names()) or "—"}


def _round(value: float | None) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    from yinli.fieldwork.distance import great_circle_km

    return great_circle_km(a[0], a[1], b[0], b[1])


def home_region_ids() -> list[int]:
    """The home city and every region under it."""
    home = settings.HOME_REGION
    return list(
        Region.objects.filter(Q(code=home) | Q(city__code=home)).values_list("pk", flat=True)
    )


def home_company_ids(home_ids: list[int] | None = None) -> QuerySet:
    """The ids of selectors.local_companies(), reached through the region index: only the
    companies of the home city's regions and those without a region are looked at."""
    home_ids = home_region_ids() if home_ids is None else home_ids
    # "Not merged" as an expression, not `merged_into IS NULL`: SQLite (without planner
    # statistics) would walk the merged_into index — every company — instead of the region's.
    in_home = (
        Company.objects.filter(region_id__in=home_ids)
        .alias(merged_marker=Coalesce("merged_into_id", Value(0)))
        .filter(merged_marker=0)
    )
    return in_home.order_by().values("pk").union(local_without_region())


def local_without_region() -> QuerySet:
    """Companies without a region that count as local (a registry record or a project here)."""
    return local_companies(Company.objects.filter(region__isnull=True)).order_by().values("pk")


def refresh_basis(*, node_ids: set[int] | None = None) -> int:
    """Copy the company figures the ranking scores onto the placements not yet ready (one
    UPDATE … FROM, on PostgreSQL and SQLite alike); how many rows were refreshed."""
    dead = " AND ".join("c.registration_status NOT LIKE %s" for _word in DEAD_STATUSES)
    nodes = ""
    params: list = [True, True, False]
    params[1:1] = [f"{word}%" for word in DEAD_STATUSES]
    if node_ids is not None:
        if not node_ids:
            return 0
        marks = ", ".join(["%s"] * len(node_ids))
        nodes = f" AND chains_companynode.node_id IN ({marks})"
    sql = f"""
        UPDATE chains_companynode SET
            basis_ready = %s,
            basis_open = CASE WHEN c.deleted_at IS NULL AND c.merged_into_id IS NULL AND {dead}
                THEN %s ELSE %s END,
            basis_region = c.region_id,
            basis_lat = COALESCE(r.lat, rc.lat, rp.lat),
            basis_lng = COALESCE(r.lng, rc.lng, rp.lng),
            basis_capital = c.registered_capital,
            basis_staff = c.insured_staff,
            basis_founded = c.established_on
        FROM companies_company c
        LEFT JOIN core_region r ON r.id = c.region_id
        LEFT JOIN core_region rc ON rc.id = r.city_id
        LEFT JOIN core_region rp ON rp.id = r.province_id
        WHERE c.id = chains_companynode.company_id
            AND chains_companynode.basis_ready = %s{nodes}
    """
    params.append(False)
    if node_ids is not None:
        params.extend(sorted(node_ids))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The stale rows are few next to the registry: look their companies up by key
            # rather than hash the whole company table (a seq scan of millions of rows).
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(sql, params)
        return cursor.rowcount


def mark_stale(*, company_ids) -> int:
    """The placements of these companies take their figures again before the next ranking."""
    return CompanyNode.objects.filter(company_id__in=company_ids).update(basis_ready=False)


@dataclass
class Groups:
    """The preferred region groups: member region ids and the group each names."""

    members: dict[int, str] = field(default_factory=dict)

    def name_for(self, region) -> str | None:
        if region is None:
            return None
        for pk in (region.pk, region.city_id, region.province_id):
            if pk in self.members:
                return self.members[pk]
        return None


def preferred_groups() -> Groups:
    names = preferred_group_names()
    groups = Groups()
    chosen = RegionGroup.objects.filter(Q(name__in=names) | Q(short_name__in=names))
    for group in chosen.prefetch_related("members"):
        for member in group.members.all():
            groups.members.setdefault(member.pk, group.short_name or group.name)
    if groups.members:
        # Every region under a member (a member includes everything under it).
        for pk, city, province in Region.objects.values_list("pk", "city_id", "province_id"):
            for up in (city, province):
                if up in groups.members and pk not in groups.members:
                    groups.members[pk] = groups.members[up]
    return groups


def _home_point() -> tuple[float, float] | None:
    from yinli.fieldwork.distance import coordinates

    home = (
        Region.objects.select_related("city", "province").filter(code=settings.HOME_REGION).first()
    )
    return coordinates(home) if home else None


def _distance_km(home: tuple[float, float] | None):
    """Great-circle km from the home city (haversine, as fieldwork.distance), null when unknown."""
    if home is None:
        return Value(None, output_field=FloatField())
    lat, lng = F("basis_lat"), F("basis_lng")
    home_lat, home_lng = (Value(math.radians(v)) for v in home)
    half_dlat = (Radians(lat) - home_lat) / Value(2.0)
    half_dlng = (Radians(lng) - home_lng) / Value(2.0)
    inner = Power(Sin(half_dlat), 2) + Value(math.cos(math.radians(home[0]))) * Cos(
        Radians(lat)
    ) * Power(Sin(half_dlng), 2)
    return ExpressionWrapper(
        Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(Least(Value(1.0), inner))),
        output_field=FloatField(),
    )


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def live_relationships() -> QuerySet:
    return Relationship.objects.filter(
        company__deleted_at__isnull=True,
        other__deleted_at__isnull=True,
        company__merged_into__isnull=True,
        other__merged_into__isnull=True,
    )


def tie_counts(local_ids: QuerySet) -> dict[int, int]:
    """{company id: number of live relationships with home-city companies}, either side."""
    counts: dict[int, int] = {}
    # The local side is live by construction; the other side is checked as a candidate.
    live = Relationship.objects.order_by()
    if not live.exists():
        return counts  # no relationship entered yet: no need to list the home companies
    for column, other in (("company_id", "other_id"), ("other_id", "company_id")):
        rows = (
            live.filter(**{f"{other}__in": local_ids})
            .values(column)
            .annotate(n=Count("pk"))
            .values_list(column, "n")
        )
        for pk, n in rows:
            counts[pk] = counts.get(pk, 0) + n
    return counts


def tie_points(n: int) -> float:
    return 0.0 if n <= 0 else min(TIE_MAX, TIE_FIRST + TIE_MORE * (n - 1))


def node_subtree_ids(node: ChainNode) -> set[int]:
    nodes = list(ChainNode.objects.filter(chain_id=node.chain_id))
    return _subtrees(nodes).get(node.pk, {node.pk})


@dataclass
class Context:
    """What one ranking needs besides the node, worked out once per call."""

    today: date
    home_ids: list[int]
    local_ids: QuerySet
    groups: Groups
    home_point: tuple[float, float] | None
    ties: dict[int, int]


def context(today: date | None = None) -> Context:
    home_ids = home_region_ids()
    local_ids = home_company_ids(home_ids)
    return Context(
        today=today or timezone.localdate(),
        home_ids=home_ids,
        local_ids=local_ids,
        groups=preferred_groups(),
        home_point=_home_point(),
        ties=tie_counts(local_ids),
    )


def candidates(*, node: ChainNode, today: date | None = None, ctx: Context | None = None):
    """The node's target placements with every part but the ties annotated (``p_*``, ``km``)
    and their sum as ``total``, best first (a queryset)."""
    ctx = ctx or context(today)
    subtree = node_subtree_ids(node)
    refresh_basis(node_ids=subtree)
    rejected = CompanyNode.objects.filter(node_id__in=subtree, decision=Decision.REJECTED).values(
        "company_id"
    )
    rows = (
        CompanyNode.objects.filter(node_id__in=subtree, basis_ready=True, basis_open=True)
        .exclude(decision=Decision.REJECTED)
        .exclude(basis_region__in=ctx.home_ids)
        .exclude(Q(basis_region__isnull=True) & Q(company_id__in=local_without_region()))
        .exclude(company_id__in=rejected)
    )
    age = Case(
        *(
            When(basis_founded__lte=_years_ago(ctx.today, years), then=Value(pts))
            for years, pts in AGE_STEPS
        ),
        default=Value(0.0),
        output_field=FloatField(),
    )
    members = sorted(ctx.groups.members)
    group = (
        Case(
            When(basis_region__in=members, then=Value(GROUP_POINTS)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        if members
        else Value(0.0, output_field=FloatField())
    )
    rows = rows.annotate(
        km=_distance_km(ctx.home_point),
        p_fit=Least(
            Value(FIT_MAX),
            Cast("score", FloatField()) * Value(FIT_PER_POINT),
            output_field=FloatField(),
        ),
        p_capital=Case(
            When(
                basis_capital__gt=0,
                then=Least(
                    Value(CAPITAL_MAX),
                    Ln(F("basis_capital") + Value(1.0)) * Value(CAPITAL_FACTOR / LN10),
                    output_field=FloatField(),
                ),
            ),
            default=Value(0.0),
            output_field=FloatField(),
        ),
        p_staff=Case(
            When(
                basis_staff__gt=0,
                then=Least(
                    Value(STAFF_MAX),
                    Ln(F("basis_staff") + Value(1.0)) * Value(STAFF_FACTOR / LN10),
                    output_field=FloatField(),
                ),
            ),
            default=Value(0.0),
            output_field=FloatField(),
        ),
        p_group=group,
        p_age=age,
    )
    rows = rows.annotate(
        p_distance=Coalesce(
            Greatest(
                Value(0.0),
                Value(DISTANCE_POINTS) - F("km") * Value(DISTANCE_POINTS / DISTANCE_ZERO_KM),
                output_field=FloatField(),
            ),
            Value(0.0),
            output_field=FloatField(),
        )
    )
    rows = rows.annotate(
        total=ExpressionWrapper(
            F("p_fit")
            + F("p_capital")
            + F("p_staff")
            + F("p_group")
            + F("p_distance")
            + F("p_age"),
            output_field=FloatField(),
        )
    )
    return rows.order_by("-total", "-score", "company_id")


@dataclass
class Target:
    company: object
    node_id: int
    score: Decimal
    parts: dict[str, Decimal]
    details: dict[str, str]
    matched: list[str]
    ties: list[dict] = field(default_factory=list)
    visited: bool = False
    project_ids: list[int] = field(default_factory=list)

    @property
    def credit_code(self) -> str:
        return self.company.uscc or ""

    @property
    def region_name(self) -> str:
        return self.company.region.full_name if self.company.region_id else ""

    def explain(self) -> list[dict]:
        """Each part: its label, its points and what they come from."""
        return [
            {
                "key": key,
                "label": str(PART_LABELS[key]),
                "points": self.parts[key],
                "detail": self.details.get(key, ""),
            }
            for key in PARTS
        ]

    def as_json(self) -> dict:
        return {
            "company": self.company.name,
            "company_id": self.company.pk,
            "credit_code": self.credit_code,
            "region": self.region_name,
            "score": float(self.score),
            "parts": {key: float(value) for key, value in self.parts.items()},
        }


def _details(row, company, ctx: Context, ties: list[dict]) -> dict[str, str]:
    region = company.region if company.region_id else None
    km = row.km
    return {
        "fit": _("classification score %(score)s (%(words)s)")
        % {"score": row.score, "words": "、".join(row.matched or []) or "—"},
        "capital": (
            _("%(amount)s 10k yuan") % {"amount": f"{company.registered_capital:,.0f}"}
            if company.registered_capital
            else _("not known")
        ),
        "staff": (
            _("%(people)s people") % {"people": company.insured_staff}
            if company.insured_staff
            else _("not known")
        ),
        "region_group": ctx.groups.name_for(region)
        or (_("outside the preferred groups") if region else _("region not known")),
        "distance": (
            _("about %(km)s km from the home city") % {"km": f"{km:,.0f}"}
            if km is not None
            else _("not known")
        ),
        "age": (
            _("founded %(on)s") % {"on": company.established_on.isoformat()}
            if company.established_on
            else _("founding date not known")
        ),
        "growth": _("not scored: the enterprise base has no yearly figures"),
        "ties": "、".join(f"{t['name']}（{t['kind']}）" for t in ties) or _("none"),
    }


def _tie_names(company_ids: list[int], local_ids: QuerySet) -> dict[int, list[dict]]:
    """The home-city companies each candidate is tied to (for the explain of the top rows)."""
    from .models import RelationKind

    labels = dict(RelationKind.choices)
    result: dict[int, list[dict]] = {pk: [] for pk in company_ids}
    if not company_ids:
        return result
    live = live_relationships().select_related("company", "other")
    for rel in live.filter(company_id__in=company_ids, other_id__in=local_ids):
        result[rel.company_id].append(
            {"id": rel.other_id, "name": rel.other.name, "kind": str(labels[rel.kind])}
        )
    for rel in live.filter(other_id__in=company_ids, company_id__in=local_ids):
        result[rel.other_id].append(
            {"id": rel.company_id, "name": rel.company.name, "kind": str(labels[rel.kind])}
        )
    return result


def _order_key(total: float, score, company_id: int):
    return (-round(total, 6), -float(score), company_id)


def rank_targets(
    *,
    node: ChainNode,
    user=None,
    limit: int = 50,
    today: date | None = None,
) -> list[Target]:
    """The node's targets, best first, each with its score parts (see the module docstring).

    With a user, each target also says whether a visit the user may see was made to the company
    and which of the user's visible projects it already has.
    """
    limit = max(1, min(int(limit), 1000))
    ctx = context(today)
    rows = candidates(node=node, ctx=ctx)
    # 1. The untied candidates, best first, read page by page until `limit` distinct ones (a
    #    kept company may carry a merged one's placement beside its own).
    best: dict[int, tuple] = {}
    offset, batch = 0, limit + 10
    while True:
        page = list(rows.values_list("pk", "company_id", "total", "score")[offset : offset + batch])
        for pk, company_id, total, score in page:
            if company_id in ctx.ties or company_id in best:
                continue
            best[company_id] = (_order_key(total, score, company_id), pk)
        untied = len(best)
        if untied >= limit or len(page) < batch:
            break
        offset += batch
    # 2. The tied candidates (few), scored with their ties.
    if ctx.ties:
        tied = rows.filter(company_id__in=_tied_ids(ctx))
        if len(best) >= limit:
            # Only a tied company within the largest bonus of the last untied one can enter.
            floor = -sorted(best.values())[limit - 1][0][0] - TIE_MAX
            tied = tied.filter(total__gte=floor - 0.001)
        tied = tied.values_list("pk", "company_id", "total", "score")
        for pk, company_id, total, score in tied:
            key = _order_key(total + tie_points(ctx.ties[company_id]), score, company_id)
            if company_id not in best or key < best[company_id][0]:
                best[company_id] = (key, pk)
    chosen = sorted(best.values())[:limit]
    by_pk = {
        row.pk: row
        for row in rows.filter(pk__in=[pk for _key, pk in chosen]).select_related(*REGION_JOINS)
    }
    targets = _as_targets([by_pk[pk] for _key, pk in chosen], ctx)
    if user is not None and targets:
        mark_followed(targets, user=user)
    return targets


def _tied_ids(ctx: Context) -> QuerySet:
    """The companies tied to a home-city company, as a subquery (faster than a long list)."""
    live = Relationship.objects.order_by()
    return (
        live.filter(other_id__in=ctx.local_ids)
        .values("company_id")
        .union(live.filter(company_id__in=ctx.local_ids).values("other_id"))
    )


def _as_targets(rows: list, ctx: Context) -> list[Target]:
    # Only a company counted in ctx.ties has a tie to name (most have none: no query then).
    ties = _tie_names([row.company_id for row in rows if row.company_id in ctx.ties], ctx.local_ids)
    targets = []
    for row in rows:
        parts = {
            "fit": _round(row.p_fit),
            "capital": _round(row.p_capital),
            "staff": _round(row.p_staff),
            "region_group": _round(row.p_group),
            "distance": _round(row.p_distance),
            "age": _round(row.p_age),
            "growth": Decimal("0.0"),
            "ties": _round(tie_points(ctx.ties.get(row.company_id, 0))),
        }
        targets.append(
            Target(
                company=row.company,
                node_id=row.node_id,
                score=sum(parts.values(), Decimal(0)),
                parts=parts,
                details=_details(row, row.company, ctx, ties.get(row.company_id, [])),
                matched=list(row.matched or []),
                ties=ties.get(row.company_id, []),
            )
        )
    return targets


def targets_among(*, node: ChainNode, company_ids: list[int]) -> dict[int, Target]:
    """The given companies that are targets of the node, with their scores: {company id: Target}."""
    ctx = context()
    rows = (
        candidates(node=node, ctx=ctx)
        .filter(company_id__in=company_ids)
        .select_related(*REGION_JOINS)
    )
    best = {}
    for row in rows:
        best.setdefault(row.company_id, row)
    return {t.company.pk: t for t in _as_targets(list(best.values()), ctx)}


def mark_followed(targets: list[Target], *, user) -> None:
    """Set `visited` and `project_ids` from the visits and projects the user may see."""
    from yinli.core import scoping

    ids = [t.company.pk for t in targets]
    visited = set(
        scoping.visible_visits(user).filter(company_id__in=ids).values_list("company_id", flat=True)
    )
    projects: dict[int, list[int]] = {}
    for pk, company_id in (
        scoping.visible_projects(user)
        .filter(company_id__in=ids, merged_into__isnull=True)
        .values_list("pk", "company_id")
    ):
        projects.setdefault(company_id, []).append(pk)
    for target in targets:
        target.visited = target.company.pk in visited
        target.project_ids = projects.get(target.company.pk, [])

"""The figures of a period and scope, computed in the database from the one selector.

Each function runs one aggregate query (a breakdown one GROUP BY) — or, inside a whole report
(all_figures), reads the period's counted projects from one Tally, a single query whose rows
carry every breakdown's key, and adds them up — and returns exact Decimals:
amounts in 亿元, shares and changes in percent, unrounded. The report (yinli.stats.report)
rounds them at the end, half up, so that shares and year-on-year changes are computed on
unrounded values. A change on a zero base is None.

The headline figures (signed_figures, in_statistics_figures) keep the SQL of their query
compiled, per definition, periods and scope (compiled_rows, selectors.query_key): the ORM took
5× the database's time to build it for a district. Only the SQL is kept; the data is read afresh.

Definitions of the follow-through rates (of the projects counted as signed in the period, as the
records stand when the report is made):
- 开工率 started_pct: share that reached 开工 or a later stage;
- 履约率 fulfilled_pct: share that reached 注册 or a later stage and is neither 流失 nor 终止
  (the investor set up the company and the project goes on, as the agreement promised);
- 资金到位率 funds_in_place_pct: Σ 到位资金 recorded so far ÷ Σ total investment;
- 投产率 producing_pct: share that reached 投产 or 达产.

Pipeline figures concern every live, unmerged project in scope (no threshold, any category):
by stage and status as they stand; the conversion of the leads that entered in the period (first
stage-log entry 线索 or 洽谈 within it) into signed projects since; the median days from lead to
signing, signing to 开工 and 开工 to 投产 of the projects that reached the later stage in the period.
"""

from __future__ import annotations

import copy
import functools
import statistics
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from operator import itemgetter
from types import SimpleNamespace

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from yinli.companies.models import Ownership
from yinli.core import regiondata
from yinli.core.models import OrgUnit, Region, RegionGroup
from yinli.projects.filters import source_group_q
from yinli.projects.models import (
    STAGE_ORDER,
    Category,
    FundsInPlace,
    Project,
    Stage,
    Status,
)

from . import dimensions, selectors
from .definitions import wording_of
from .drilldown import drilldown_url
from .periods import Period, previous_year, years_back

YI = selectors.YI
HUNDRED = Decimal(100)


def yi(wan) -> Decimal:
    """万元 → 亿元 (exact)."""
    return Decimal(wan or 0) / YI


def pct(part, whole) -> Decimal | None:
    """part ÷ whole in percent; None when the whole is zero."""
    if not whole:
        return None
    return Decimal(part or 0) * HUNDRED / Decimal(whole)


def yoy(current, previous) -> Decimal | None:
    """The change against last year in percent; None on a zero base."""
    if not previous:
        return None
    return (Decimal(current or 0) - Decimal(previous)) * HUNDRED / Decimal(previous)


@dataclass
class Context:
    """What every figure of one report shares: definition, period, scope."""

    definition: object
    period: Period
    user: object = None
    district: OrgUnit | None = None
    previous: Period | None = None
    words: dict = field(default_factory=dict)
    refs: selectors.Refs | selectors.LazyRefs | None = None
    #: The period's counted projects read once (a Tally), when a report builds every breakdown;
    #: None: each figure runs its own aggregate query.
    tally: Tally | None = None
    _list_url: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        self.previous = self.previous or previous_year(self.period)
        self.words = self.words or wording_of(self.definition)
        self.refs = self.refs or selectors.LazyRefs()

    def counted(self, period: Period | None = None) -> QuerySet:
        period = period or self.period
        return selectors.counted_projects(
            definition=self.definition,
            start=period.start,
            end=period.end,
            user=self.user,
            district=self.district,
        )

    def counted_in(self, *periods: Period) -> QuerySet:
        """The projects counted in any of `periods` (this period and last year's, say)."""
        return selectors.counted_projects_in(
            definition=self.definition,
            periods=periods,
            user=self.user,
            district=self.district,
        )

    def in_statistics_in(self, *periods: Period) -> QuerySet:
        return selectors.in_statistics_projects_in(
            periods=periods, user=self.user, district=self.district
        )

    def in_statistics(self, period: Period | None = None) -> QuerySet:
        period = period or self.period
        return selectors.in_statistics_projects(
            start=period.start, end=period.end, user=self.user, district=self.district
        )

    def live(self) -> QuerySet:
        return selectors.live_projects(user=self.user, district=self.district)

    def url(self, stat: str = "signed", by: str | None = None, key=None, period=None) -> str:
        if self._list_url is None:
            self._list_url = reverse("projects:list")
        return drilldown_url(
            base=self._list_url,
            stat=stat,
            definition=self.definition,
            period=None if stat == "pipeline" else (period or self.period),
            district=self.district,
            by=by,
            key=key,
        )


# --- headline figures -------------------------------------------------------------------------


def _signed_aggregates(definition) -> dict:
    """The headline aggregates (the count, Σ investment, foreign, state-owned, each category)."""
    foreign = selectors.foreign_funded_q()
    agreed = Q(foreign_investment__gt=0)
    aggregates = {
        "count": Count("pk"),
        "wan": Sum("total_investment"),
        "foreign_count": Count("pk", filter=foreign),
        "foreign_wan": Sum("total_investment", filter=foreign),
        "foreign_agreed_wan": Sum("stat_foreign_yuan", filter=agreed),
        "foreign_unconverted": Count("pk", filter=agreed & Q(stat_rate__isnull=True)),
        "state_owned_count": Count("pk", filter=selectors.state_owned_q()),
        "state_owned_wan": Sum("total_investment", filter=selectors.state_owned_q()),
    }
    for category in definition.categories:
        aggregates[f"count_{category}"] = Count("pk", filter=Q(category=category))
        aggregates[f"wan_{category}"] = Sum("total_investment", filter=Q(category=category))
    return aggregates


def _with_rate(queryset: QuerySet) -> QuerySet:
    agreed = Q(foreign_investment__gt=0)
    return queryset.annotate(
        # Looked up only where there is agreed foreign investment to convert.
        stat_rate=Case(
            When(agreed, then=selectors.rate_to_yuan()), output_field=selectors.RATE_FIELD
        ),
        stat_foreign_yuan=F("foreign_investment") * F("stat_rate"),
    )


def _signed_by_period(queryset: QuerySet, definition, periods: dict) -> QuerySet:
    """The headline aggregates of `queryset` grouped by the period of `periods` ({"now":
    Period, "before": Period} not overlapping, or one of them) its first signing falls in, as
    the hand-written SQL of bench/test_stats.py groups them: one row per period with projects."""
    return (
        _with_rate(queryset)
        .annotate(
            stat_period=Case(
                *(
                    When(selectors.signed_in(period), then=Value(when))
                    for when, period in periods.items()
                ),
                output_field=CharField(),
            )
        )
        .values("stat_period")
        .annotate(**_signed_aggregates(definition))
        .order_by()
    )


def _empty(aggregates: dict) -> dict:
    """What each aggregate is over no rows: 0 for a count, None for a sum."""
    return {name: 0 if isinstance(e, Count) else None for name, e in aggregates.items()}


@functools.lru_cache(maxsize=64)
def _signed_empty(categories: tuple[str, ...]) -> dict:
    return _empty(_signed_aggregates(SimpleNamespace(categories=categories)))


def _per_period(rows, empty: dict, periods: dict) -> dict:
    """{when: that period's aggregates}, a period without projects all `empty`."""
    found = {row["stat_period"]: row for row in rows}
    return {when: {**empty, **found.get(when, {})} for when in periods}


def _overlap(a, b) -> bool:
    """Whether periods `a` and `b` share a day."""
    return a.start <= b.end and b.start <= a.end


def _uses_own_querysets(ctx, *methods: str) -> bool:
    """Whether `ctx` hands out projects its own way (a subclass narrowing them): its queries
    are built afresh, never taken from the compiled-query cache keyed on Context's inputs."""
    return any(getattr(type(ctx), m) is not getattr(Context, m) for m in methods)


def signed_figures(ctx: Context) -> dict:
    """Signed above the threshold, its categories, foreign projects and state-owned investors."""
    # This period and the same one a year before in one pass (conditional aggregates), its SQL
    # compiled once per definition, periods and scope (building it through the ORM cost 5× the
    # database's time for a district, bench/test_stats.py).
    periods = {"now": ctx.period, "before": ctx.previous}
    key = None
    if not _uses_own_querysets(ctx, "counted_in"):
        key = selectors.query_key(
            definition=ctx.definition,
            periods=periods.values(),
            user=ctx.user,
            district=ctx.district,
        )
    # A range longer than a year overlaps the same range a year before: a project signed in the
    # overlap counts in both, which one CASE cannot do. Then one query per period.
    if _overlap(ctx.period, ctx.previous):
        groups = [{when: period} for when, period in periods.items()]
    else:
        groups = [periods]
    rows = []
    for group in groups:
        rows += compiled_rows(
            key and ("signed", *group, key),
            lambda group=group: _signed_by_period(
                ctx.counted_in(*group.values()), ctx.definition, group
            ),
        )
    both = _per_period(rows, _signed_empty(tuple(ctx.definition.categories)), periods)
    now, before = both["now"], both["before"]
    signed = {
        "count": now["count"],
        "investment_yi": yi(now["wan"]),
        "count_yoy_pct": yoy(now["count"], before["count"]),
        "investment_yoy_pct": yoy(now["wan"], before["wan"]),
        "previous": {"count": before["count"], "investment_yi": yi(before["wan"])},
        "url": ctx.url(),
    }
    names = ctx.words["categories"]
    categories = []
    for category in ctx.definition.categories:
        count, wan = now[f"count_{category}"], now[f"wan_{category}"]
        item = {
            "key": category,
            "name": names.get(category) or str(Category(category).label),
            "count": count,
            "count_share_pct": pct(count, now["count"]),
            "investment_yi": yi(wan),
            "investment_share_pct": pct(wan, now["wan"]),
            "count_yoy_pct": yoy(count, before[f"count_{category}"]),
            "investment_yoy_pct": yoy(wan, before[f"wan_{category}"]),
            "previous": {
                "count": before[f"count_{category}"],
                "investment_yi": yi(before[f"wan_{category}"]),
            },
            "url": ctx.url(by="category", key=category),
        }
        signed[category] = {k: v for k, v in item.items() if k not in ("key", "name")}
        categories.append(item)
    if ctx.definition.foreign_share_basis == "agreed_foreign_investment":
        share = pct(now["foreign_agreed_wan"], now["wan"])
    else:
        share = pct(now["foreign_wan"], now["wan"])
    foreign = {
        "count": now["foreign_count"],
        "count_share_pct": pct(now["foreign_count"], now["count"]),
        "investment_yi": yi(now["foreign_wan"]),
        "agreed_investment_yi": yi(now["foreign_agreed_wan"]),
        "investment_share_pct": share,
        "basis": ctx.definition.foreign_share_basis,
        "unconverted_count": now["foreign_unconverted"],
        "url": ctx.url(by="foreign", key="1"),
    }
    state_owned = {
        "count": now["state_owned_count"],
        "count_share_pct": pct(now["state_owned_count"], now["count"]),
        "investment_yi": yi(now["state_owned_wan"]),
        "investment_share_pct": pct(now["state_owned_wan"], now["wan"]),
        "url": ctx.url(by="state_owned", key="1"),
    }
    return {
        "signed": signed,
        "by_category": categories,
        "foreign": foreign,
        "state_owned": state_owned,
        "_totals": (now["count"], now["wan"] or 0),
    }


def in_statistics_figures(ctx: Context) -> dict:
    """Newly 入库列统: count and investment, with last year's and the change."""

    periods = {"now": ctx.period, "before": ctx.previous}
    key = None
    if not _uses_own_querysets(ctx, "in_statistics_in"):
        key = selectors.query_key(periods=periods.values(), user=ctx.user, district=ctx.district)

    def query():
        # One row (no GROUP BY: the constant key groups nothing) of conditional aggregates.
        return (
            ctx.in_statistics_in(ctx.period, ctx.previous)
            .annotate(stat_all=Value(1))
            .values("stat_all")
            .annotate(
                **{
                    f"{when}:{name}": function(column, filter=selectors.in_statistics_in(period))
                    for when, period in periods.items()
                    for name, function, column in (
                        ("count", Count, "pk"),
                        ("wan", Sum, "total_investment"),
                    )
                }
            )
            .order_by()
        )

    rows = compiled_rows(key and ("in_statistics", key), query)
    result = rows[0] if rows else {}
    now, before = (
        {"count": result.get(f"{w}:count") or 0, "wan": result.get(f"{w}:wan")} for w in periods
    )
    return {
        "count": now["count"],
        "investment_yi": yi(now["wan"]),
        "count_yoy_pct": yoy(now["count"], before["count"]),
        "investment_yoy_pct": yoy(now["wan"], before["wan"]),
        "previous": {"count": before["count"], "investment_yi": yi(before["wan"])},
        "url": ctx.url(stat="in_statistics"),
    }


# --- queries compiled once ---------------------------------------------------------------------


class CompiledQuery:
    """A queryset compiled to SQL once, run again as often as wanted.

    Building and compiling an aggregate with a dozen conditional aggregates through the ORM
    costs milliseconds of Python, several times what the database takes for a district. The
    SQL and its parameters are kept; each run executes them on the current connection and
    converts the columns as the queryset would (the converters are looked up per run: a
    connection belongs to its thread).
    """

    __slots__ = ("expressions", "names", "params", "sql", "using")

    def __init__(self, queryset: QuerySet):
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()  # EmptyResultSet: a query that returns nothing
        self.sql, self.params, self.using = sql, tuple(params), queryset.db
        selected = compiler.select[: compiler.col_count]
        self.names = tuple(alias for _expression, _sql, alias in selected)
        self.expressions = tuple(expression for expression, _sql, _alias in selected)

    def rows(self) -> list[dict]:
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            rows = cursor.fetchall()
        converters = [
            (at, converters, expression)
            for at, expression in enumerate(self.expressions)
            if (
                converters := connection.ops.get_db_converters(expression)
                + expression.get_db_converters(connection)
            )
        ]
        result = []
        for row in rows:
            values = list(row)
            for at, functions, expression in converters:
                for function in functions:
                    values[at] = function(values[at], expression, connection)
            result.append(dict(zip(self.names, values, strict=True)))
        return result


#: Compiled queries by key (see compiled_rows); the oldest go when there are more than this.
COMPILED_LIMIT = 512
_compiled: dict = {}
_compiled_lock = threading.Lock()


def compiled_rows(key, build: Callable[[], QuerySet]) -> list[dict]:
    """The rows of the queryset `build()` returns (dicts), its SQL compiled once per `key`.

    `key` must be equal for two calls exactly when `build` gives the same SQL and parameters
    (selectors.query_key); None: build and compile it this once. The data is read afresh on
    every call: only the SQL is kept (a changed rate or record shows at once; a new definition
    version or another scope is another key).
    """
    compiled = _compiled.get(key) if key is not None else None
    if compiled is None:
        try:
            compiled = CompiledQuery(build())
        except EmptyResultSet:
            return []
        if key is not None:
            with _compiled_lock:
                while len(_compiled) >= COMPILED_LIMIT:
                    _compiled.pop(next(iter(_compiled)))
                _compiled[key] = compiled
    return compiled.rows()


def clear_compiled() -> None:
    """Forget every compiled query (tests; nothing else needs it: the keys say what changed)."""
    with _compiled_lock:
        _compiled.clear()


# --- breakdowns -------------------------------------------------------------------------------


def _row(ctx, by, key, name, count, wan, totals, **extra) -> dict:
    total_count, total_wan = totals
    period = extra.pop("_period", None)
    return {
        "key": dimensions.NONE_KEY if key is None else key,
        "name": name,
        "count": count,
        "count_share_pct": pct(count, total_count),
        "investment_yi": yi(wan),
        "investment_share_pct": pct(wan, total_wan),
        **extra,
        "url": ctx.url(by=by, key=key, period=period),
    }


def _ranked(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (-r["count"], -r["investment_yi"], str(r["name"])))


def grouped(ctx, queryset: QuerySet, by: str, name_field: str | None = None) -> list[dict]:
    """One GROUP BY query: count and Σ total investment per key of dimension `by`."""
    prepared = dimensions.GROUPED[by].prepare(queryset, ctx.definition, ctx.refs)
    fields = ["stat_key"] + ([name_field] if name_field else [])
    return list(
        prepared.values(*fields).annotate(count=Count("pk"), wan=Sum("total_investment")).order_by()
    )


def breakdown(ctx, by: str, totals, *, name_field=None, names=None, skip_none=False) -> list[dict]:
    """Rows of a breakdown of the counted projects by a column (district, industry, channel…)."""
    rows = []
    if ctx.tally is not None:
        items = ctx.tally.grouped(by, name_field)
    else:
        items = grouped(ctx, ctx.counted(), by, name_field)
    for item in items:
        key = item["stat_key"]
        if key is None and skip_none:
            continue
        if key is None:
            name = ctx.words["not_given"]
        elif name_field:
            name = item[name_field]
        else:
            name = names(key) if callable(names) else key
        rows.append(_row(ctx, by, key, name, item["count"], item["wan"], totals))
    return _ranked(rows)


def _choice_label(choices):
    def label(key):
        try:
            return str(choices(key).label)
        except ValueError:
            return key

    return label


def region_group_rows(ctx, totals) -> list[dict]:
    """市外 projects from each region group (a project may fall in more than one group)."""
    if ctx.tally is not None:
        groups = ctx.tally.groups
    else:
        groups = list(RegionGroup.objects.prefetch_related("members"))
    if not groups:
        return []
    aggregates = {}
    for group in groups:
        condition = source_group_q(group)
        aggregates[f"count_{group.pk}"] = Count("pk", filter=condition)
        aggregates[f"wan_{group.pk}"] = Sum("total_investment", filter=condition)
    if ctx.tally is not None:
        result = ctx.tally.flags("region_group", [g.pk for g in groups], outside_only=True)
    else:
        result = selectors.outside_projects(ctx.counted(), ctx.definition, ctx.refs).aggregate(
            **aggregates
        )
    return [
        _row(
            ctx,
            "region_group",
            group.pk,
            group.name,
            result[f"count_{group.pk}"],
            result[f"wan_{group.pk}"],
            totals,
            short_name=group.short_name or group.name,
        )
        for group in groups
    ]


def source_class_rows(ctx, totals) -> list[dict]:
    """市外, 本地, 本地增资 and unknown: where the counted projects come from, in one query."""
    words = ctx.words
    names = {
        "outside": words.get("outside", "市外"),
        "local": words["local"],
        "expansion": words["local_expansion"],
        "unknown": words["unknown_source"],
    }
    if ctx.tally is not None:
        found = {item["stat_key"]: item for item in ctx.tally.grouped("source_class")}
    else:
        found = {
            item["stat_source"]: item
            for item in selectors.with_source_class(ctx.counted(), ctx.definition, ctx.refs)
            .values("stat_source")
            .annotate(count=Count("pk"), wan=Sum("total_investment"))
            .order_by()
        }
    rows = []
    for key, name in names.items():
        item = found.get(key, {"count": 0, "wan": 0})
        if key == "unknown" and not item["count"]:
            continue
        if key == "expansion" and not ctx.definition.expansion_as_local:
            continue
        rows.append(_row(ctx, "source_class", key, name, item["count"], item["wan"], totals))
    return rows


def _size_band_keys(definition) -> tuple[list[Decimal], list[str]]:
    """The bands of `definition` and the keys of size_band_rows: below the first, then each."""
    bands = [Decimal(str(b)) for b in definition.size_bands_yi]
    below_key = "lt" + dimensions.size_band_key(bands[0])[2:]
    return bands, [below_key] + [dimensions.size_band_key(b) for b in bands]


def size_band_rows(ctx, totals) -> list[dict]:
    """Cumulative bands (≥1亿, ≥10亿, ≥30亿) and, if any, the counted projects below the first."""
    bands, keys = _size_band_keys(ctx.definition)
    aggregates = {}
    for i, key in enumerate(keys):
        condition = dimensions.size_band_q(ctx.definition, key)
        aggregates[f"count_{i}"] = Count("pk", filter=condition)
        aggregates[f"wan_{i}"] = Sum("total_investment", filter=condition)
    if ctx.tally is not None:
        result = ctx.tally.flags("size_band", range(len(keys)))
    else:
        result = ctx.counted().aggregate(**aggregates)
    words = ctx.words
    rows = []
    for i, key in enumerate(keys):
        if i == 0:
            if not result["count_0"]:
                continue
            name = words["size_band_below"].format(n=_plain(bands[0]))
        else:
            name = words["size_band_at_least"].format(n=_plain(bands[i - 1]))
        rows.append(
            _row(ctx, "size_band", key, name, result[f"count_{i}"], result[f"wan_{i}"], totals)
        )
    return rows


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def source_rows(ctx, by: str, totals, queryset=None, period=None) -> list[dict]:
    """市外 projects by source province, city or country; names filled in afterwards."""
    if queryset is None and ctx.tally is not None:
        items = ctx.tally.grouped(by)
    else:
        items = grouped(ctx, queryset if queryset is not None else ctx.counted(), by)
    rows = []
    for item in items:
        key = item["stat_key"]
        if key is None:  # a foreign source has no province; a province alone has no city
            continue
        extra = {"_period": period} if period is not None else {}
        rows.append(_row(ctx, by, key, None, item["count"], item["wan"], totals, **extra))
    return _ranked(rows)


def fill_region_names(*row_lists: list[dict]) -> None:
    """Names and coordinates of the regions of source rows, in one query for all of them."""
    ids = {row["key"] for rows in row_lists for row in rows if isinstance(row["key"], int)}
    regions = Region.objects.in_bulk(ids)
    for rows in row_lists:
        for row in rows:
            region = regions.get(row["key"]) if isinstance(row["key"], int) else None
            if region is not None:
                row["name"] = region.name
                row["short_name"] = region.short_name or region.name
                row["code"] = region.code
                row["lng"] = float(region.lng) if region.lng is not None else None
                row["lat"] = float(region.lat) if region.lat is not None else None
        rows.sort(key=lambda r: (-r["count"], -r["investment_yi"], str(r["name"])))


def country_names(rows: list[dict]) -> None:
    codes = [row["key"] for row in rows]
    names = dict(Region.objects.filter(code__in=codes, kind="country").values_list("code", "name"))
    apart = {
        c["code"]: c["name_zh"]
        for c in regiondata.read_countries()
        if c["code"] in selectors.APART_PROVINCES.values()
    }
    for row in rows:
        row["name"] = names.get(row["key"]) or apart.get(row["key"]) or row["key"]
        row["code"] = row["key"]


def top_source_cities(ctx, limit: int = 10) -> tuple[Period, list[dict]]:
    """The source cities with the most counted 市外 projects over the last N years."""
    window = years_back(ctx.period, int(ctx.definition.top_cities_years))
    # One pass over the window (several years of counted projects): grouped by source class
    # and city, which gives the cities of the 市外 projects and, added up, the totals.
    queryset = selectors.with_source_keys(
        selectors.with_source_class(ctx.counted(window), ctx.definition, ctx.refs)
    ).annotate(stat_key=selectors.source_city_key(ctx.refs))
    groups = list(
        queryset.values("stat_source", "stat_key")
        .annotate(count=Count("pk"), wan=Sum("total_investment"))
        .order_by()
    )
    wans = [item["wan"] for item in groups if item["wan"] is not None]
    totals = (sum(item["count"] for item in groups), sum(wans[1:], wans[0]) if wans else 0)
    cities: dict = {}
    for item in groups:
        if item["stat_source"] != "outside" or item["stat_key"] is None:
            continue
        slot = cities.setdefault(item["stat_key"], [0, None])
        slot[0] += item["count"]
        if item["wan"] is not None:
            slot[1] = item["wan"] if slot[1] is None else slot[1] + item["wan"]
    # Ranked as _ranked ranks the rows (their names come later), then only the top made rows.
    top = sorted(cities.items(), key=lambda item: (-item[1][0], -yi(item[1][1])))[:limit]
    rows = [
        _row(ctx, "source_city", key, None, n, wan, totals, _period=window) for key, (n, wan) in top
    ]
    return window, rows


# --- follow-through and pipeline ---------------------------------------------------------------


def follow_through(ctx) -> dict:
    """开工率, 履约率, 资金到位率 and 投产率 of the projects counted as signed in the period."""
    funds = _funds_of_project()
    aggregates = {
        "count": Count("pk"),
        "wan": Sum("total_investment"),
        "funds": Sum(Coalesce(Subquery(funds), Value(Decimal(0)))),
    }
    for key, condition in dimensions.FOLLOW_THROUGH_Q.items():
        aggregates[key] = Count("pk", filter=condition)
    if ctx.tally is not None:
        result = ctx.tally.follow_through()
    else:
        result = ctx.counted().aggregate(**aggregates)
    figures = {"count": result["count"]}
    for key in dimensions.FOLLOW_THROUGH_Q:
        figures[f"{key}_count"] = result[key]
        figures[f"{key}_pct"] = pct(result[key], result["count"])
        figures[f"{key}_url"] = ctx.url(by="follow_through", key=key)
    figures["funds_in_place_yi"] = yi(result["funds"])
    figures["funds_in_place_pct"] = pct(result["funds"], result["wan"])
    return figures


REACHED_LEAD = [Stage.LEAD, Stage.NEGOTIATING]
REACHED_STARTED = dimensions.STARTED_STAGES
REACHED_PRODUCING = dimensions.PRODUCING_STAGES


def pipeline(ctx) -> dict:
    period = ctx.period
    live = ctx.live()
    by_stage: dict[str, list] = {}
    by_status: dict[str, list] = {}
    for item in (
        live.values("stage", "status")
        .annotate(count=Count("pk"), wan=Sum("total_investment"))
        .order_by()
    ):
        for table, key in ((by_stage, item["stage"]), (by_status, item["status"])):
            slot = table.setdefault(key, [0, Decimal(0)])
            slot[0] += item["count"]
            slot[1] += Decimal(item["wan"] or 0)

    def rows(table, order, choices, by):
        return [
            {
                "key": key,
                "name": str(choices(key).label),
                "count": table.get(key, [0, 0])[0],
                "investment_yi": yi(table.get(key, [0, 0])[1]),
                "url": ctx.url(stat="pipeline", by=by, key=key),
            }
            for key in order
        ]

    # The leads that entered in the period: the stage log's first entry (kept on the project
    # as entered_on / entered_stage, yinli.projects.stagedates) is a 线索 or 洽谈 within it.
    leads = live.filter(
        entered_on__range=(period.start, period.end), entered_stage__in=REACHED_LEAD
    ).aggregate(count=Count("pk"), signed=Count("pk", filter=Q(first_signed_on__isnull=False)))
    return {
        "by_stage": rows(by_stage, STAGE_ORDER, Stage, "stage"),
        "by_status": rows(by_status, list(Status.values), Status, "status"),
        "leads": {
            "count": leads["count"],
            "signed_count": leads["signed"],
            "conversion_pct": pct(leads["signed"], leads["count"]),
        },
        "median_days": median_days(ctx),
    }


#: The spans of median_days: (key, from, to), dates of the project (the stage log's first dates
#: kept on it by yinli.projects.stagedates, and first_signed_on).
SPANS = (
    ("lead_to_signed", "lead_on", "first_signed_on"),
    ("signed_to_started", "first_signed_on", "started_on"),
    ("started_to_producing", "started_on", "producing_on"),
)


def median_days(ctx) -> dict:
    """Median days lead → signing, signing → 开工, 开工 → 投产, of the projects that reached the
    later stage in the period (from the earlier one, when it came first).

    Per span one GROUP BY over the projects whose later date lies in the period (an index range)
    returns how many took each number of days; the median is read off those counts.
    """
    period = ctx.period
    live = ctx.live()
    medians = {}
    for key, since, until in SPANS:
        counts = (
            live.filter(
                **{
                    f"{until}__range": (period.start, period.end),
                    f"{since}__isnull": False,
                    f"{since}__lte": F(until),
                }
            )
            .annotate(
                stat_span=ExpressionWrapper(F(until) - F(since), output_field=DurationField())
            )
            .values("stat_span")
            .annotate(count=Count("pk"))
            .order_by()
        )
        medians[key] = _median_of_counts(
            sorted((_days(item["stat_span"]), item["count"]) for item in counts)
        )
    return medians


def _days(span) -> int:
    """A span of days as the database gives it (a timedelta; a number of microseconds on some)."""
    if isinstance(span, timedelta):
        return span.days
    return int(span) // 86_400_000_000


def _median_of_counts(counts: list[tuple[int, int]]) -> Decimal | None:
    """The median of values given as sorted (value, how many) pairs; None when there are none.

    As statistics.median: the middle value, or the mean of the two middle ones.
    """
    total = sum(n for _value, n in counts)
    if not total:
        return None
    wanted = sorted({(total - 1) // 2, total // 2})  # the middle position(s), 0-based
    found = []
    seen = 0
    for value, n in counts:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return Decimal(str(statistics.median(found)))


# --- the counted projects read once ------------------------------------------------------------

#: The breakdowns a Tally serves from its rows (dimensions.GROUPED names, and source_class).
TALLIED = (
    "district",
    "industry",
    "channel",
    "event",
    "ownership",
    "source_province",
    "source_city",
    "source_country",
)


class Tally:
    """The projects counted in a period, read once (one query), for every breakdown of a report.

    A report breaks the same counted set down a dozen ways; instead of a dozen aggregate
    queries over it, one query reads each counted project with the key it has in every
    breakdown — the very expressions the breakdowns group by (dimensions.GROUPED, the source
    class, region groups, size bands, follow-through conditions, 到位资金) — and the counts and
    sums are added up here. The figures are those of the per-figure queries
    (tests/stats/test_tally.py compares them on generated data).
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        definition, refs = ctx.definition, ctx.refs
        self.groups = list(RegionGroup.objects.prefetch_related("members"))
        _bands, self.band_keys = _size_band_keys(definition)
        queryset = selectors.with_source_keys(
            selectors.with_source_class(ctx.counted(), definition, refs)
        )
        columns = {f"k_{by}": dimensions.GROUPED[by].key(refs) for by in TALLIED}
        for group in self.groups:
            columns[f"f_region_group_{group.pk}"] = _flag(source_group_q(group))
        for i, key in enumerate(self.band_keys):
            columns[f"f_size_band_{i}"] = _flag(dimensions.size_band_q(definition, key))
        for key, condition in dimensions.FOLLOW_THROUGH_Q.items():
            columns[f"f_follow_{key}"] = _flag(condition)
        columns["stat_funds"] = Coalesce(Subquery(_funds_of_project()), Value(Decimal(0)))
        names = ["total_investment", "stat_source", *columns]
        self.rows = list(queryset.annotate(**columns).values_list(*names).order_by())
        self.index = {name: i for i, name in enumerate(names)}
        self._outside: list[tuple] | None = None

    def _rows(self, outside_only: bool) -> list[tuple]:
        if not outside_only:
            return self.rows
        if self._outside is None:
            at = self.index["stat_source"]
            self._outside = [row for row in self.rows if row[at] == "outside"]
        return self._outside

    def _sums(self, at: int, outside_only: bool = False) -> dict:
        """{key: [count, Σ total investment or None]} by column `at` (over the 市外 rows only)."""
        rows = self._rows(outside_only)
        key_of, wan_of = itemgetter(at), itemgetter(self.index["total_investment"])
        wans: dict = {}
        for key, wan in zip(map(key_of, rows), map(wan_of, rows), strict=True):
            if wan is not None:
                wans[key] = wans[key] + wan if key in wans else wan
        return {key: [n, wans.get(key)] for key, n in Counter(map(key_of, rows)).items()}

    def grouped(self, by: str, name_field: str | None = None) -> list[dict]:
        """What figures.grouped returns for `by` over the counted projects."""
        if by == "source_class":
            sums = self._sums(self.index["stat_source"])
        else:
            sums = self._sums(self.index[f"k_{by}"], dimensions.GROUPED[by].outside_only)
        items = [{"stat_key": key, "count": n, "wan": wan} for key, (n, wan) in sums.items()]
        if name_field:
            relation, attribute = name_field.split("__")
            model = Project._meta.get_field(relation).related_model
            names = dict(
                model._base_manager.filter(pk__in=[k for k in sums if k is not None]).values_list(
                    "pk", attribute
                )
            )
            for item in items:
                item[name_field] = names.get(item["stat_key"])
        return items

    def flags(self, kind: str, ids, outside_only: bool = False) -> dict:
        """{count_ID, wan_ID} of the rows whose flag `kind` ID is set (conditional aggregates)."""
        rows = self._rows(outside_only)
        wan_at = self.index["total_investment"]
        result = {}
        for flag in ids:
            at = self.index[f"f_{kind}_{flag}"]
            flagged = [row[wan_at] for row in rows if row[at] == 1]
            wans = [wan for wan in flagged if wan is not None]
            result[f"count_{flag}"] = len(flagged)
            result[f"wan_{flag}"] = sum(wans[1:], wans[0]) if wans else None
        return result

    def follow_through(self) -> dict:
        """The aggregates of follow_through: count, Σ investment, Σ 到位资金, and each rate's count."""
        wan_at, funds_at = self.index["total_investment"], self.index["stat_funds"]
        wans = [row[wan_at] for row in self.rows if row[wan_at] is not None]
        result = {
            "count": len(self.rows),
            "wan": sum(wans[1:], wans[0]) if wans else None,
            "funds": sum((row[funds_at] for row in self.rows), Decimal(0)) if self.rows else None,
        }
        for key in dimensions.FOLLOW_THROUGH_Q:
            at = self.index[f"f_follow_{key}"]
            result[key] = sum(1 for row in self.rows if row[at] == 1)
        return result


def _flag(condition) -> Case:
    """1 where `condition` holds, else 0 (as an aggregate's FILTER (WHERE condition) counts)."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _funds_of_project():
    """Σ 到位资金 of the outer project (a subquery)."""
    return (
        FundsInPlace.objects.filter(project=OuterRef("pk"))
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )


# --- everything together ------------------------------------------------------------------------


def all_figures(ctx: Context) -> dict:
    """Every figure of the report, exact (unrounded).

    The breakdowns of the period's counted projects come from one Tally (one query) unless
    `ctx` already has one; each figure function gives the same without it.
    """
    if ctx.tally is None:
        ctx = copy.copy(ctx)  # the caller's context stays as it was (a subclass's state too)
        ctx.tally = Tally(ctx)
    signed = signed_figures(ctx)
    totals = signed.pop("_totals")
    by_province = source_rows(ctx, "source_province", totals)
    by_city = source_rows(ctx, "source_city", totals)
    by_country = source_rows(ctx, "source_country", totals)
    window, top_cities = top_source_cities(ctx)
    fill_region_names(by_province, by_city, top_cities)
    country_names(by_country)
    return {
        **signed,
        "in_statistics": in_statistics_figures(ctx),
        "by_region_group": region_group_rows(ctx, totals),
        "by_source_class": source_class_rows(ctx, totals),
        "by_source_province": by_province,
        "by_source_city": by_city,
        "by_source_country": by_country,
        "by_district": breakdown(ctx, "district", totals, name_field="district__name"),
        "by_industry": breakdown(ctx, "industry", totals, name_field="industry__name"),
        "by_channel": breakdown(ctx, "channel", totals, name_field="channel__name"),
        "by_size_band": size_band_rows(ctx, totals),
        "by_ownership": breakdown(ctx, "ownership", totals, names=_choice_label(Ownership)),
        "by_event": breakdown(ctx, "event", totals, name_field="event__name", skip_none=True),
        "top_source_cities": top_cities,
        "top_source_cities_window": {
            "years": int(ctx.definition.top_cities_years),
            **window.as_dict(ctx.words.get("period")),
        },
        "follow_through": follow_through(ctx),
        "pipeline": pipeline(ctx),
    }

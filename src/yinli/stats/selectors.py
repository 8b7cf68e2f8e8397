"""Which projects a figure counts. Every figure, drill-down, export and bulletin comes through here.

`counted_projects` is THE selector of signed projects above the threshold (签约亿元以上项目):

    live (not soft-deleted) and not merged into another project (`merged_into` empty)
    AND visible to the user (yinli.core.scoping.visible_projects), when a user is given
    AND in the district (its current `district`), when one is given
    AND category in the definition's categories (default 工业, 服务业)
    AND (kind is 新建, or the definition counts 增资扩产 — by default it does)
    AND first_signed_on within [start, end] (counted once, at the first formal signing)
    AND ( total_investment >= threshold_total_wan                      (default 10000万元 = 1亿元)
          OR foreign_currency == threshold_foreign_currency
             AND foreign_investment >= threshold_foreign                (default 1000万美元) )

An 增资扩产 record's `total_investment` is its own added investment, so the same threshold
applies to it. With `convert_foreign_threshold` on, an agreed foreign investment in another
currency is converted (at its signing month's rates, through yuan) before the comparison; off
(the default, as DESIGN.md says: "thresholds compare in the stored currency") it never qualifies.
A project that was later lost or terminated stays counted in the period it was signed in.
A duplicate merged into another project (`merged_into`) never counts; a joint project (撞车
ruling "joint") is one record under its lead district, the other side's record merged into it,
so it counts once, there (tests/stats/test_counted_once.py).

`in_statistics_projects` is newly 入库列统: live, not merged, `fai_on` within the period; no
threshold and no category.

A project is foreign-funded (外资项目) when its investor's ownership is 外资 or 港澳台资, or its
agreed foreign investment is above zero.

Where a project comes from (`source_class`): an 增资扩产 project is 本地增资 (when the definition
shows expansions as local); otherwise the actual controller's location where known, else the
signing entity's; a location in the home city (settings.HOME_REGION) is 本地, any other 市外,
none at all "unknown". Source breakdowns count 市外 projects only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from yinli.companies.models import FOREIGN_FUNDED, STATE_OWNED
from yinli.core.models import OrgUnit, Region
from yinli.core.scoping import sees_everything, visible_projects
from yinli.projects.filters import source_q
from yinli.projects.models import Kind, Project
from yinli.reporting.locks import counted_in_q, late_additions

from .models import ConversionRate

RATE_FIELD = DecimalField(max_digits=18, decimal_places=8)
WAN_FIELD = DecimalField(max_digits=30, decimal_places=8)
YI = Decimal(10000)  # 1亿 = 10000万

# The province-level units that are a city in their own right (直辖市, 香港, 澳门): a source
# recorded as the province counts as that city. Their city-level code, where they have one.
CITY_PROVINCES = {
    "110000": "110100",
    "120000": "120100",
    "310000": "310100",
    "500000": "500100",
    "810000": "810000",
    "820000": "820000",
}
# Parts of China counted apart from the mainland in the country breakdown (ISO 3166 codes).
APART_PROVINCES = {"810000": "HK", "820000": "MO", "710000": "TW"}


# --- the base ------------------------------------------------------------------------------


def live_projects(*, user=None, district: OrgUnit | None = None) -> QuerySet[Project]:
    """Live projects, not merged into another, seen by `user`, in `district`."""
    queryset = Project.objects.filter(merged_into__isnull=True)
    if user is not None:
        queryset = visible_projects(user, queryset)
    if district is not None:
        queryset = queryset.filter(district=district)
    return queryset


def counted_projects(
    *, definition, start: date, end: date, user=None, district: OrgUnit | None = None
) -> QuerySet[Project]:
    """Signed projects above the threshold in [start, end] under `definition` (see above)."""
    return counted_projects_in(
        definition=definition, periods=[(start, end)], user=user, district=district
    )


def counted_projects_in(
    *, definition, periods, user=None, district: OrgUnit | None = None
) -> QuerySet[Project]:
    """The projects counted in any of `periods` ((start, end) pairs, or Periods).

    The same rules as :func:`counted_projects` (which is this with one period): a figure and the
    same figure a year before come out of one query, told apart by first_signed_on (see
    :func:`signed_in`).
    """
    signed = Q()
    for period in periods:
        signed |= signed_in(period)
    queryset = live_projects(user=user, district=district).filter(
        signed, category__in=list(definition.categories)
    )
    if not definition.count_expansion:
        queryset = queryset.exclude(kind=Kind.EXPANSION)
    condition = Q(total_investment__gte=definition.threshold_total_wan)
    if definition.threshold_foreign is not None:
        currency = definition.threshold_foreign_currency
        if definition.convert_foreign_threshold:
            queryset = queryset.annotate(
                stat_foreign_in_threshold_currency=foreign_in_currency(currency)
            )
            condition |= Q(stat_foreign_in_threshold_currency__gte=definition.threshold_foreign)
        else:
            condition |= Q(
                foreign_currency=currency, foreign_investment__gte=definition.threshold_foreign
            )
    return queryset.filter(condition)


def _bounds(period) -> tuple[date, date]:
    return (period.start, period.end) if hasattr(period, "start") else tuple(period)


def signed_in(period) -> Q:
    """First signed within `period` (a Period or a (start, end) pair): where a project counts."""
    start, end = _bounds(period)
    signed = Q(first_signed_on__gte=start, first_signed_on__lte=end)
    return counted_in_q(signed, start, end)  # YINLI_LATE_ADDITIONS (yinli.reporting.locks)


def in_statistics_projects(
    *, start: date, end: date, user=None, district: OrgUnit | None = None, definition=None
) -> QuerySet[Project]:
    """Newly 入库列统 in [start, end]: every live, unmerged project whose fai_on falls there.

    `definition` is accepted for symmetry; today no parameter of it changes this set.
    """
    return in_statistics_projects_in(periods=[(start, end)], user=user, district=district)


def in_statistics_projects_in(
    *, periods, user=None, district: OrgUnit | None = None, definition=None
) -> QuerySet[Project]:
    """Newly 入库列统 in any of `periods` (see :func:`in_statistics_in`)."""
    accepted = Q()
    for period in periods:
        accepted |= in_statistics_in(period)
    return live_projects(user=user, district=district).filter(accepted)


def in_statistics_in(period) -> Q:
    """入库列统 (fai_on) within `period` (a Period or a (start, end) pair)."""
    start, end = _bounds(period)
    return Q(fai_on__gte=start, fai_on__lte=end)


# --- what the SQL of a selector depends on ---------------------------------------------------

#: The fields of a definition that :func:`counted_projects_in` reads. With the periods, the scope
#: and YINLI_LATE_ADDITIONS they make its SQL: figures caches the compiled SQL of the headline
#: aggregates under :func:`query_key`. A new field read there must be added here
#: (tests/stats/test_compiled.py fails otherwise).
COUNTING_FIELDS = (
    "categories",
    "count_expansion",
    "threshold_total_wan",
    "threshold_foreign",
    "threshold_foreign_currency",
    "convert_foreign_threshold",
)


def query_key(*, definition=None, periods, user=None, district: OrgUnit | None = None):
    """A hashable value equal for two calls exactly when :func:`counted_projects_in` (with a
    definition; else :func:`in_statistics_projects_in`) builds the same SQL for them.

    The scope enters as what :func:`live_projects` makes of it: the district's id, and for a
    user whose view is restricted the SQL and parameters of `visible_projects` (recomputed on
    every call, so a moved unit or a changed role is a new key). None: no key (a user who sees
    nothing, whose queryset has no SQL).
    """
    if user is None or sees_everything(user):
        scope = None
    else:
        try:
            sql, params = visible_projects(user, Project.objects.all()).query.sql_with_params()
        except EmptyResultSet:
            return None
        scope = (sql, tuple(params))
    counting = None
    if definition is not None:
        counting = tuple(
            tuple(value) if isinstance(value, list) else value
            for value in (getattr(definition, name) for name in COUNTING_FIELDS)
        )
    key = (
        Project.objects.db,
        late_additions(),
        counting,
        tuple(_bounds(period) for period in periods),
        None if district is None else district.pk,
        scope,
    )
    try:
        hash(key)
    except TypeError:  # a value of an unexpected type: build the query as usual
        return None
    return key


# --- foreign-funded projects and money in other currencies -----------------------------------


def foreign_funded_q() -> Q:
    """外资项目: a foreign or HK/Macao/Taiwan-funded investor, or agreed foreign investment > 0."""
    return Q(company__ownership__in=[str(o) for o in FOREIGN_FUNDED]) | Q(foreign_investment__gt=0)


def state_owned_q() -> Q:
    """央企 or 地方国企 investors (the signing company's ownership)."""
    return Q(company__ownership__in=[str(o) for o in STATE_OWNED])


def rate_to_yuan(currency: str | None = None):
    """Yuan per unit of `currency` (default: the project's own) in the project's signing month.

    The month's row of ConversionRate, else the latest earlier month's; NULL when there is none.
    """
    if currency == "CNY":
        return Value(Decimal(1), output_field=RATE_FIELD)
    latest = (
        ConversionRate.objects.filter(
            currency=OuterRef("foreign_currency") if currency is None else currency,
            month__lte=OuterRef("first_signed_on"),
        )
        .order_by("-month")
        .values("rate")[:1]
    )
    rate = Subquery(latest, output_field=RATE_FIELD)
    if currency is not None:
        return rate
    return Case(
        When(foreign_currency="CNY", then=Value(Decimal(1), output_field=RATE_FIELD)),
        default=rate,
        output_field=RATE_FIELD,
    )


def foreign_in_yuan() -> ExpressionWrapper:
    """The agreed foreign investment in 万元, converted at its signing month's rate."""
    return ExpressionWrapper(F("foreign_investment") * rate_to_yuan(), output_field=WAN_FIELD)


def foreign_in_currency(currency: str) -> ExpressionWrapper:
    """The agreed foreign investment in 万 of `currency`, converted through yuan."""
    if currency == "CNY":
        return foreign_in_yuan()
    return ExpressionWrapper(
        F("foreign_investment") * rate_to_yuan() / rate_to_yuan(currency), output_field=WAN_FIELD
    )


# --- where a project comes from ---------------------------------------------------------------


@dataclass(frozen=True)
class Refs:
    """The regions the source rules name: the home city and the provinces counted apart.

    Loaded once per report (one query) and handed to the source expressions.
    """

    home: Region | None
    ids: dict[str, int]

    @classmethod
    def load(cls) -> Refs:
        codes = {settings.HOME_REGION, *CITY_PROVINCES, *CITY_PROVINCES.values(), *APART_PROVINCES}
        regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return cls(
            home=regions.get(settings.HOME_REGION),
            ids={code: region.pk for code, region in regions.items()},
        )


class LazyRefs:
    """Refs loaded on first use: a figure that needs no source rule costs no query for them."""

    def __init__(self):
        self._refs: Refs | None = None

    def _loaded(self) -> Refs:
        if self._refs is None:
            self._refs = Refs.load()
        return self._refs

    @property
    def home(self) -> Region | None:
        return self._loaded().home

    @property
    def ids(self) -> dict[str, int]:
        return self._loaded().ids


def _source(attr: str, output_field=None):
    """An attribute of the source region: the controller's where known, else the signer's."""
    return Case(
        When(controller_region__isnull=False, then=F(f"controller_region__{attr}")),
        default=F(f"signing_region__{attr}"),
        output_field=output_field or IntegerField(),
    )


def source_id():
    return Coalesce(F("controller_region_id"), F("signing_region_id"))


def source_class(definition, refs: Refs | None = None) -> Case:
    """'expansion' (本地增资), 'local' (本地), 'outside' (市外) or 'unknown' (no location)."""
    home = (refs or Refs.load()).home
    whens = []
    if definition.expansion_as_local:
        whens.append(When(kind=Kind.EXPANSION, then=Value("expansion")))
    if home is not None:
        whens.append(When(source_q(home), then=Value("local")))
    whens.append(
        When(
            Q(controller_region__isnull=False) | Q(signing_region__isnull=False),
            then=Value("outside"),
        )
    )
    return Case(*whens, default=Value("unknown"), output_field=CharField())


def with_source_class(queryset: QuerySet, definition, refs: Refs | None = None) -> QuerySet:
    return queryset.annotate(stat_source=source_class(definition, refs))


def outside_projects(queryset: QuerySet, definition, refs: Refs | None = None) -> QuerySet:
    """Only the 市外 projects of `queryset` (the base of every source breakdown)."""
    return with_source_class(queryset, definition, refs).filter(stat_source="outside")


def source_city_key(refs: Refs):
    """The source city: a Chinese prefecture city, a foreign city, or 直辖市/香港/澳门 as a city."""
    ids = refs.ids
    whens = [
        When(stat_src_id=ids[p], then=Value(ids[c]))
        for p, c in CITY_PROVINCES.items()
        if p in ids and c in ids
    ]
    return Case(
        When(stat_src_city__isnull=False, then=F("stat_src_city")),
        When(stat_src_kind="foreign_city", then=F("stat_src_id")),
        *whens,
        default=None,
        output_field=IntegerField(),
    )


def source_country_key(refs: Refs):
    """ISO 3166 code of the source; 香港, 澳门 and 台湾 apart from the mainland (CN)."""
    ids = refs.ids
    whens = [
        When(stat_src_province=ids[code], then=Value(iso))
        for code, iso in APART_PROVINCES.items()
        if code in ids
    ]
    return Case(*whens, default=_source("country", CharField()), output_field=CharField())


def with_source_keys(queryset: QuerySet) -> QuerySet:
    """Annotate the parts of the source region the breakdowns group by."""
    return queryset.annotate(
        stat_src_id=source_id(),
        stat_src_city=_source("city_id"),
        stat_src_province=_source("province_id"),
        stat_src_kind=_source("kind", CharField()),
    )

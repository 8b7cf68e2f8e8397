"""The figures a target can be set on: keys mapped to the statistics code that computes them.

Every actual compared with a target is computed by yinli.stats.figures (the one selector,
yinli.stats.selectors.counted_projects, and its siblings) for the target's definition version
and the period asked for, never by a second formula. A figure here only picks one number out of
what stats computes; figures sharing a stats function are computed once per unit and period
(`Actuals`).

A bureau or team is scoped like a district, plus "the projects its unit (or a unit under it) is
responsible for" (`UnitContext`): the same stats functions on a narrower queryset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from yinli.core.models import OrgKind, OrgUnit
from yinli.core.scoping import unit_subtree_ids
from yinli.stats import figures as stats_figures
from yinli.stats.periods import Period


@dataclass(frozen=True)
class Figure:
    key: str
    label: object  # lazy text
    unit: object  # 个 or 亿元
    source: str  # the stats function computing it (see SOURCES)
    pick: Callable[[dict], object]
    whole: bool = False  # a count (targets in whole numbers)


def _size_band(rows: list[dict], key: str):
    for row in rows:
        if row["key"] == key:
            return row["count"]
    return 0


COUNT = _("projects")
YI = _("100 million yuan")

FIGURES: dict[str, Figure] = {
    f.key: f
    for f in [
        Figure(
            "signed_count",
            _("Signed above the threshold: projects"),
            COUNT,
            "signed",
            lambda r: r["signed"]["count"],
            True,
        ),
        Figure(
            "signed_investment_yi",
            _("Signed above the threshold: investment"),
            YI,
            "signed",
            lambda r: r["signed"]["investment_yi"],
        ),
        Figure(
            "signed_industrial_count",
            _("Signed industrial projects above the threshold"),
            COUNT,
            "signed",
            lambda r: (r["signed"].get("industrial") or {}).get("count", 0),
            True,
        ),
        Figure(
            "signed_service_count",
            _("Signed service projects above the threshold"),
            COUNT,
            "signed",
            lambda r: (r["signed"].get("service") or {}).get("count", 0),
            True,
        ),
        Figure(
            "signed_10yi_count",
            _("Signed projects of 1 billion yuan or more"),
            COUNT,
            "size_bands",
            lambda r: _size_band(r, "ge10"),
            True,
        ),
        Figure(
            "foreign_count",
            _("Foreign-funded projects signed"),
            COUNT,
            "signed",
            lambda r: r["foreign"]["count"],
            True,
        ),
        Figure(
            "foreign_investment_yi",
            _("Investment of foreign-funded projects"),
            YI,
            "signed",
            lambda r: r["foreign"]["investment_yi"],
        ),
        Figure(
            "foreign_agreed_yi",
            _("Agreed foreign investment"),
            YI,
            "signed",
            lambda r: r["foreign"]["agreed_investment_yi"],
        ),
        Figure(
            "in_statistics_count",
            _("Newly in statistics (入库列统): projects"),
            COUNT,
            "in_statistics",
            lambda r: r["count"],
            True,
        ),
        Figure(
            "in_statistics_investment_yi",
            _("Newly in statistics (入库列统): investment"),
            YI,
            "in_statistics",
            lambda r: r["investment_yi"],
        ),
    ]
}


def _signed(ctx) -> dict:
    return stats_figures.signed_figures(ctx)


def _size_bands(ctx) -> list[dict]:
    result = ctx.counted().aggregate(count=Count("pk"), wan=Sum("total_investment"))
    return stats_figures.size_band_rows(ctx, (result["count"], result["wan"] or 0))


SOURCES: dict[str, Callable] = {
    "signed": _signed,
    "in_statistics": stats_figures.in_statistics_figures,
    "size_bands": _size_bands,
}


def figure_choices() -> list[tuple[str, str]]:
    return [(f.key, str(f.label)) for f in FIGURES.values()]


def figure_label(key: str) -> str:
    figure = FIGURES.get(key)
    return str(figure.label) if figure else key


class UnitContext(stats_figures.Context):
    """stats' Context for a district, or for a bureau or team (its responsible projects).

    Every method of stats' Context that hands out projects is narrowed here (the bureau test in
    tests/targets/test_progress.py fails if stats grows one that is not).
    """

    unit_ids: set[int] | None = None

    def _narrow(self, queryset: QuerySet) -> QuerySet:
        if self.unit_ids is None:
            return queryset
        return queryset.filter(responsible_unit_id__in=self.unit_ids)

    def counted(self, period: Period | None = None) -> QuerySet:
        return self._narrow(super().counted(period))

    def in_statistics(self, period: Period | None = None) -> QuerySet:
        return self._narrow(super().in_statistics(period))

    # The one-pass forms stats uses for a period and last year's together.
    def counted_in(self, *periods: Period) -> QuerySet:
        return self._narrow(super().counted_in(*periods))

    def in_statistics_in(self, *periods: Period) -> QuerySet:
        return self._narrow(super().in_statistics_in(*periods))

    def live(self) -> QuerySet:
        return self._narrow(super().live())


def context_for(*, unit: OrgUnit | None, definition, period: Period) -> UnitContext:
    """The stats context of a unit (None: the whole city), unscoped by any user.

    Targets and rankings are the city's business: the actual of a district is the same whoever
    looks at it; who may look at which unit is decided by yinli.targets.scoping.
    """
    if unit is None or unit.kind == OrgKind.CITY:
        return UnitContext(definition=definition, period=period)
    if unit.kind == OrgKind.DISTRICT:
        return UnitContext(definition=definition, period=period, district=unit)
    ctx = UnitContext(
        definition=definition,
        period=period,
        district=unit.district if unit.district_id else None,
    )
    ctx.unit_ids = unit_subtree_ids(unit.pk)
    return ctx


class Actuals:
    """Actual values of figures, computed once per (unit, definition, period, stats function)."""

    def __init__(self):
        self._cache: dict[tuple, object] = {}

    def value(self, *, figure: str, unit: OrgUnit | None, definition, period: Period) -> Decimal:
        spec = FIGURES[figure]
        key = (unit.pk if unit else None, definition.pk, period.start, period.end, spec.source)
        if key not in self._cache:
            ctx = context_for(unit=unit, definition=definition, period=period)
            self._cache[key] = SOURCES[spec.source](ctx)
        return Decimal(spec.pick(self._cache[key]) or 0)

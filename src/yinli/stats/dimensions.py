"""The ways a figure is broken down, each defined once for the figure and for its drill-down.

A dimension annotates `stat_key` on a queryset: the breakdown groups by it, and the drill-down
filters on it with the key of the row clicked. Both use the same expression, so the list behind a
row holds exactly the projects the row counts. Source dimensions keep 市外 projects only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet

from yinli.core.models import RegionGroup
from yinli.projects.filters import source_group_q
from yinli.projects.models import STAGE_ORDER, Stage, Status

from . import selectors

NONE_KEY = "none"  # the key of the row of projects without a value (no channel, no industry…)


@dataclass(frozen=True)
class Dimension:
    name: str
    key: Callable[[selectors.Refs], object] | None = None  # the expression annotated as stat_key
    int_key: bool = True
    outside_only: bool = False  # 市外 projects only (source breakdowns)
    source_keys: bool = False  # needs selectors.with_source_keys first

    def prepare(self, queryset: QuerySet, definition, refs: selectors.Refs) -> QuerySet:
        if self.outside_only:
            queryset = selectors.outside_projects(queryset, definition, refs)
        if self.source_keys:
            queryset = selectors.with_source_keys(queryset)
        return queryset.annotate(stat_key=self.key(refs))

    def filter(self, queryset: QuerySet, definition, key: str, refs: selectors.Refs) -> QuerySet:
        queryset = self.prepare(queryset, definition, refs)
        if key == NONE_KEY:
            return queryset.filter(stat_key__isnull=True)
        if self.int_key:
            try:
                return queryset.filter(stat_key=int(key))
            except (TypeError, ValueError):
                return queryset.none()
        return queryset.filter(stat_key=key)


GROUPED: dict[str, Dimension] = {
    d.name: d
    for d in [
        Dimension("district", lambda refs: F("district_id")),
        Dimension("industry", lambda refs: F("industry_id")),
        Dimension("channel", lambda refs: F("channel_id")),
        Dimension("event", lambda refs: F("event_id")),
        Dimension("category", lambda refs: F("category"), int_key=False),
        Dimension("ownership", lambda refs: F("company__ownership"), int_key=False),
        Dimension("stage", lambda refs: F("stage"), int_key=False),
        Dimension("status", lambda refs: F("status"), int_key=False),
        Dimension(
            "source_province",
            lambda refs: F("stat_src_province"),
            outside_only=True,
            source_keys=True,
        ),
        Dimension("source_city", selectors.source_city_key, outside_only=True, source_keys=True),
        Dimension(
            "source_country",
            selectors.source_country_key,
            int_key=False,
            outside_only=True,
            source_keys=True,
        ),
    ]
}


# --- dimensions given by a condition per key --------------------------------------------------


def size_band_key(band: Decimal | int) -> str:
    return f"ge{Decimal(band).normalize():f}"


def size_band_q(definition, key: str) -> Q | None:
    """ge10: total investment ≥ 10亿元 (bands are cumulative, as the report counts them);
    lt1: below the first band (counted through agreed foreign investment) or not given."""
    bands = [Decimal(str(b)) for b in definition.size_bands_yi]
    for band in bands:
        if key == size_band_key(band):
            return Q(total_investment__gte=band * selectors.YI)
    if key == "lt" + size_band_key(bands[0])[2:]:
        return Q(total_investment__lt=bands[0] * selectors.YI) | Q(total_investment__isnull=True)
    return None


# A project followed through (签约项目履约): which stages and statuses each rate counts.
STARTED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.STARTED) :]
REGISTERED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.REGISTERED) :]
PRODUCING_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.PRODUCING) :]
LIVE_STATUSES = [Status.ACTIVE, Status.PAUSED]

FOLLOW_THROUGH_Q: dict[str, Q] = {
    # 开工率: reached 开工 or a later stage.
    "started": Q(stage__in=STARTED_STAGES),
    # 履约率: registered (注册) or further, and neither lost (流失) nor terminated (终止).
    "fulfilled": Q(stage__in=REGISTERED_STAGES, status__in=LIVE_STATUSES),
    # 投产率: reached 投产 or 达产.
    "producing": Q(stage__in=PRODUCING_STAGES),
}


def filter_by(
    queryset: QuerySet, definition, by: str, key: str, refs: selectors.Refs | None = None
) -> QuerySet:
    """The projects of `queryset` in the row `key` of dimension `by` (the drill-down)."""
    refs = refs or selectors.Refs.load()
    if by in GROUPED:
        return GROUPED[by].filter(queryset, definition, key, refs)
    if by == "region_group":
        group = RegionGroup.objects.filter(pk=key).first() if str(key).isdigit() else None
        if group is None:
            return queryset.none()
        return selectors.outside_projects(queryset, definition, refs).filter(source_group_q(group))
    if by == "source_class":  # local, expansion, outside, unknown
        return selectors.with_source_class(queryset, definition, refs).filter(stat_source=key)
    if by == "size_band":
        condition = size_band_q(definition, key)
        return queryset.none() if condition is None else queryset.filter(condition)
    if by == "foreign":
        return queryset.filter(selectors.foreign_funded_q())
    if by == "state_owned":
        return queryset.filter(selectors.state_owned_q())
    if by == "follow_through":
        condition = FOLLOW_THROUGH_Q.get(key)
        return queryset.none() if condition is None else queryset.filter(condition)
    return queryset.none()


def known(by: str) -> bool:
    return by in GROUPED or by in {
        "region_group",
        "source_class",
        "size_band",
        "foreign",
        "state_owned",
        "follow_through",
    }

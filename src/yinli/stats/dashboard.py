"""The dashboard (驾驶舱): what it shows for a period, scope and definition, as JSON-ready dicts.

The page paints at once and then loads its headline tiles (an HTML fragment) and each chart
panel (one small JSON endpoint per panel) on its own, so a slow part never holds the page. Every number comes from the figures
functions (yinli.stats.figures) through the one selector, rounded as the report rounds them
(yinli.stats.report.present), so a panel shows exactly what the report says for the same period,
scope and definition; every row carries the drill-down link to the projects it counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinli.companies.models import Ownership
from yinli.core import scoping
from yinli.core.models import OrgKind, OrgUnit

from . import figures
from .definitions import get_definition
from .models import Definition
from .periods import (
    DEFAULT_PERIOD_WORDS,
    Period,
    PeriodError,
    half_period,
    month_period,
    months_period,
    parse_period,
    previous_year,
    quarter_period,
    range_period,
    year_period,
)
from .report import default_district, present

# How many rows a ranked bar chart shows (the drill-down of the whole figure lists them all).
TOP_ROWS = 15


# --- what the reader picked --------------------------------------------------------------------


def reference_day() -> date:
    """Today, or the demo city's reference date (its pages open on its own year)."""
    from yinli.demo.services import is_demo_city

    if is_demo_city():
        return date.fromisoformat(getattr(settings, "DEMO_REFERENCE_DATE", "2025-08-10"))
    return timezone.localdate()


def default_period(day: date | None = None) -> Period:
    """1–N月 of the reference day's year (January alone in January)."""
    day = day or reference_day()
    return months_period(day.year, 1, day.year, day.month)


def period_presets(selected: Period) -> list[Period]:
    """Quick picks for the selected period's year: 全年, the halves, the quarters and 1–N月."""
    year = selected.end.year
    day = reference_day()
    last = day.month if day.year == year else 12
    presets = [year_period(year), half_period(year, 1), half_period(year, 2)]
    presets += [quarter_period(year, q) for q in range(1, 5)]
    if last > 1:
        presets.append(months_period(year, 1, year, last))
    presets.append(month_period(year, last))
    return presets


def districts_for(user):
    """The districts a reader may pick: every current one for the city, none for the rest."""
    if not scoping.sees_everything(user):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(kind=OrgKind.DISTRICT, valid_to__isnull=True)


@dataclass
class Selection:
    """The period, scope and definition of a dashboard request, and what was wrong with it."""

    period: Period
    definition: Definition
    district: OrgUnit | None
    errors: list[str]
    period_text: str = ""

    def query(self) -> dict[str, str]:
        params = {"period": self.period.code, "definition": str(self.definition.version)}
        if self.district is not None:
            params["district"] = str(self.district.pk)
        return params

    def context(self, user) -> figures.Context:
        return figures.Context(
            definition=self.definition, period=self.period, user=user, district=self.district
        )


def read_selection(user, data) -> Selection:
    """Read `period`, `definition` and `district` from a query; a bad value is reported and
    replaced by the default. A district reader asking for another district gets a 404."""
    errors: list[str] = []
    text = (data.get("period") or "").strip()
    try:
        period = parse_period(text) if text else default_period()
    except PeriodError as error:
        errors.append(str(error))
        period = default_period()
    try:
        definition = get_definition(data.get("definition") or None)
    except ValidationError as error:
        errors.extend(error.messages)
        definition = get_definition(None)
    own = default_district(user)
    asked = (data.get("district") or "").strip()
    district = own
    if scoping.sees_everything(user):
        if asked:
            # Any district, a former one too (its history stays readable); the picker lists
            # the current ones.
            districts = OrgUnit.objects.filter(kind=OrgKind.DISTRICT)
            district = districts.filter(pk=int(asked)).first() if asked.isdigit() else None
            if district is None:
                errors.append(_("There is no district %(district)s.") % {"district": asked})
    elif asked and (own is None or asked != str(own.pk)):
        raise Http404  # another district's figures: not disclosed
    return Selection(period, definition, district, errors, text or period.code)


# --- the headline tiles ----------------------------------------------------------------------


def headline(ctx: figures.Context) -> dict:
    """The tiles: signed (with 工业/服务业), foreign and newly 入库列统, rounded as the report."""
    signed = figures.signed_figures(ctx)
    signed.pop("_totals")
    exact = {
        "signed": signed["signed"],
        "by_category": signed["by_category"],
        "foreign": signed["foreign"],
        "in_statistics": figures.in_statistics_figures(ctx),
    }
    return present(exact, places=int(ctx.definition.decimal_places))


# --- the panels ----------------------------------------------------------------------------


def _totals(ctx) -> tuple[int, object]:
    result = ctx.counted().aggregate(count=Count("pk"), wan=Sum("total_investment"))
    return result["count"], result["wan"] or 0


def month_buckets(period: Period) -> list[Period]:
    """The months of a period (its first and last clipped to it); a single month is shown with
    the months of its year before it, so that a trend has something to show."""
    start, end = period.start, period.end
    if (start.year, start.month) == (end.year, end.month):
        start = date(end.year, 1, 1)
    buckets = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        whole = month_period(year, month)
        first, last = max(whole.start, start), min(whole.end, end)
        buckets.append(
            whole if (first, last) == (whole.start, whole.end) else range_period(first, last)
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return buckets


def _by_month(ctx, start: date, end: date) -> dict[tuple[int, int], dict]:
    queryset = (
        ctx.counted(range_period(start, end))
        .annotate(stat_month=TruncMonth("first_signed_on"))
        .values("stat_month")
        .annotate(count=Count("pk"), wan=Sum("total_investment"))
        .order_by()
    )
    return {(row["stat_month"].year, row["stat_month"].month): row for row in queryset}


def trend(ctx) -> dict:
    """Signed projects month by month against the same months a year before (two GROUP BYs)."""
    buckets = month_buckets(ctx.period)
    before = [previous_year(b) for b in buckets]
    now_rows = _by_month(ctx, buckets[0].start, buckets[-1].end)
    before_rows = _by_month(ctx, before[0].start, before[-1].end)
    months = []
    for bucket, last in zip(buckets, before, strict=True):
        now = now_rows.get((bucket.start.year, bucket.start.month), {})
        then = before_rows.get((last.start.year, last.start.month), {})
        months.append(
            {
                "name": f"{bucket.start.month}月",
                "label": bucket.label(ctx.words.get("period")),
                "count": now.get("count", 0),
                "investment_yi": figures.yi(now.get("wan")),
                "url": ctx.url(period=bucket),
                "previous": {
                    "label": last.label(ctx.words.get("period")),
                    "count": then.get("count", 0),
                    "investment_yi": figures.yi(then.get("wan")),
                    "url": ctx.url(period=last),
                },
            }
        )
    year_words = {**DEFAULT_PERIOD_WORDS, **(ctx.words.get("period") or {})}["year"]
    return {
        "kind": "trend",
        "series": year_words.format(y=buckets[-1].end.year),
        "previous_series": year_words.format(y=before[-1].end.year),
        "months": months,
    }


def _rows(rows: list[dict], limit: int | None = None) -> dict:
    return {"kind": "bar", "rows": rows[:limit] if limit else rows, "total_rows": len(rows)}


def district_panel(ctx) -> dict:
    return _rows(
        figures.breakdown(ctx, "district", _totals(ctx), name_field="district__name"),
    )


def industry_panel(ctx) -> dict:
    return _rows(
        figures.breakdown(ctx, "industry", _totals(ctx), name_field="industry__name"), TOP_ROWS
    )


def category_panel(ctx) -> dict:
    signed = figures.signed_figures(ctx)
    return {"kind": "pie", "rows": signed["by_category"]}


def channel_panel(ctx) -> dict:
    return _rows(figures.breakdown(ctx, "channel", _totals(ctx), name_field="channel__name"))


def size_band_panel(ctx) -> dict:
    return _rows(figures.size_band_rows(ctx, _totals(ctx)))


def ownership_panel(ctx) -> dict:
    rows = figures.breakdown(ctx, "ownership", _totals(ctx), names=figures._choice_label(Ownership))
    return {"kind": "pie", "rows": rows}


def event_panel(ctx) -> dict:
    rows = figures.breakdown(ctx, "event", _totals(ctx), name_field="event__name", skip_none=True)
    return _rows(rows, TOP_ROWS)


def region_group_panel(ctx) -> dict:
    totals = _totals(ctx)
    return {
        "kind": "bar",
        "rows": figures.region_group_rows(ctx, totals),
        "apart": figures.source_class_rows(ctx, totals),
    }


def source_map_panel(ctx) -> dict:
    """市外 source cities as points at their coordinates (no outline map: DESIGN.md, Maps)."""
    rows = figures.source_rows(ctx, "source_city", _totals(ctx))
    figures.fill_region_names(rows)
    points = [row for row in rows if row.get("lng") is not None and row.get("lat") is not None]
    return {"kind": "scatter", "rows": points, "without_coordinates": len(rows) - len(points)}


def source_city_panel(ctx) -> dict:
    rows = figures.source_rows(ctx, "source_city", _totals(ctx))
    figures.fill_region_names(rows)
    return _rows(rows, TOP_ROWS)


def source_province_panel(ctx) -> dict:
    rows = figures.source_rows(ctx, "source_province", _totals(ctx))
    figures.fill_region_names(rows)
    return _rows(rows, TOP_ROWS)


def source_country_panel(ctx) -> dict:
    rows = figures.source_rows(ctx, "source_country", _totals(ctx))
    figures.country_names(rows)
    return _rows(rows, TOP_ROWS)


def top_cities_panel(ctx) -> dict:
    window, rows = figures.top_source_cities(ctx)
    figures.fill_region_names(rows)
    return {
        **_rows(rows),
        "window": window.as_dict(ctx.words.get("period")),
        "years": int(ctx.definition.top_cities_years),
    }


def pipeline_panel(ctx) -> dict:
    pipeline = figures.pipeline(ctx)
    return {
        "kind": "bar",
        "rows": pipeline["by_stage"],
        "by_status": pipeline["by_status"],
        "leads": pipeline["leads"],
        "median_days": pipeline["median_days"],
        "order": "given",
    }


def follow_through_panel(ctx) -> dict:
    follow = figures.follow_through(ctx)
    names = {
        "started": _("Started (开工率)"),
        "fulfilled": _("Fulfilled (履约率)"),
        "producing": _("Producing (投产率)"),
    }
    rows = [
        {
            "key": key,
            "name": names[key],
            "pct": follow[f"{key}_pct"],
            "count": follow[f"{key}_count"],
            "url": follow[f"{key}_url"],
        }
        for key in ("started", "fulfilled", "producing")
    ]
    rows.insert(
        2,
        {
            "key": "funds_in_place",
            "name": _("Funds in place (资金到位率)"),
            "pct": follow["funds_in_place_pct"],
            "investment_yi": follow["funds_in_place_yi"],
            "count": follow["count"],
            "url": ctx.url(),
        },
    )
    return {"kind": "rates", "rows": rows, "count": follow["count"]}


@dataclass(frozen=True)
class Panel:
    name: str
    title: object
    build: Callable[[figures.Context], dict]
    wide: bool = False
    note: object = ""


PANELS: dict[str, Panel] = {
    p.name: p
    for p in [
        Panel("trend", gettext_lazy("Signed month by month, against last year"), trend, wide=True),
        Panel("district", gettext_lazy("Ranking of districts"), district_panel),
        Panel("industry", gettext_lazy("By industry direction"), industry_panel),
        Panel("category", gettext_lazy("By category"), category_panel),
        Panel("channel", gettext_lazy("By channel"), channel_panel),
        Panel("size_band", gettext_lazy("By size"), size_band_panel),
        Panel("ownership", gettext_lazy("By ownership"), ownership_panel),
        Panel("event", gettext_lazy("By event"), event_panel),
        Panel(
            "region_group",
            gettext_lazy("By source region group (outside the city)"),
            region_group_panel,
        ),
        Panel(
            "source_map",
            gettext_lazy("Sources outside the city, at their coordinates"),
            source_map_panel,
            wide=True,
            note=gettext_lazy(
                "Points at city coordinates on a longitude and latitude grid; no outline map."
            ),
        ),
        Panel("source_city", gettext_lazy("Top source cities"), source_city_panel),
        Panel("source_province", gettext_lazy("Top source provinces"), source_province_panel),
        Panel(
            "source_country", gettext_lazy("Top source countries and regions"), source_country_panel
        ),
        Panel(
            "top_cities", gettext_lazy("Top source cities over the last years"), top_cities_panel
        ),
        Panel("pipeline", gettext_lazy("Pipeline by stage (every live project)"), pipeline_panel),
        Panel(
            "follow_through",
            gettext_lazy("Follow-through of the signed projects"),
            follow_through_panel,
        ),
    ]
}


def panel_data(name: str, ctx: figures.Context) -> dict:
    """One panel's data, rounded as the report rounds, naming its definition version."""
    panel = PANELS[name]
    data = present(panel.build(ctx), places=int(ctx.definition.decimal_places))
    return {
        "name": name,
        "title": str(panel.title),
        "definition": {
            "name": ctx.definition.name,
            "version": ctx.definition.version,
            "label": definition_label(ctx.definition),
        },
        "period": ctx.period.as_dict(ctx.words.get("period")),
        "previous_period": ctx.previous.as_dict(ctx.words.get("period")),
        **data,
    }


def definition_label(definition) -> str:
    return _("Definition: %(name)s v%(version)s") % {
        "name": definition.name,
        "version": definition.version,
    }

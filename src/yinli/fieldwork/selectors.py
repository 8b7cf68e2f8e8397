"""Reads of field work: visit lists, overdue next steps, a unit's summary, event totals, channel
figures and rankings, the calendar. Everything starts from the scoping helpers and counts in the
database.

The summary (the report's "N天内奔赴X个重点城市、Y个重点区域，开展Z次拜访，累计行程约D公里") for a
unit — with every unit under it — and a period:

- the trips are those of the units that start within the period;
- days: the days away, i.e. the calendar days covered by at least one of those trips (two teams
  away on the same day count it once), cut at the period's end;
- cities: the distinct cities of their stops — a district counts as its city, a municipality
  (上海, named as the province) as itself, a foreign city as a city; a stop naming only a country
  counts no city; a city visited twice counts once;
- regions: the distinct places of the stops at the level they were given (a district, or a city,
  foreign city or province when nothing finer was named); countries do not count;
- visits: the visits of the units dated within the period (on a trip or not);
- km: the distances as entered (a trip's total, else its legs and its way home).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from yinli.core import scoping
from yinli.core.models import OrgUnit, Region, RegionKind
from yinli.stats.selectors import CITY_PROVINCES

from .models import Channel, ChannelAttribution, Event, Trip, TripStop, Visit

KM_FIELD = DecimalField(max_digits=14, decimal_places=1)


# --- Visits -------------------------------------------------------------------------------


def visit_list(
    *,
    user,
    unit: OrgUnit | None = None,
    person=None,
    overdue: bool = False,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> QuerySet[Visit]:
    """Visits the user may see; of a unit (with its sub-units), of a person, overdue ones."""
    queryset = scoping.visible_visits(user).select_related(
        "unit", "company", "place__city__province", "place__province", "place__parent", "project"
    )
    if unit is not None:
        queryset = queryset.filter(unit_id__in=scoping.unit_subtree_ids(unit.pk))
    if person is not None:
        queryset = queryset.filter(people=person)
    if start is not None:
        queryset = queryset.filter(visited_on__gte=start)
    if end is not None:
        queryset = queryset.filter(visited_on__lte=end)
    if overdue:
        queryset = queryset.filter(overdue_q(today))
    return queryset.prefetch_related("people")


def reference_day() -> date:
    """Today, or the demo city's reference date (its pages open on its own days)."""
    from django.conf import settings

    from yinli.demo.services import is_demo_city

    if is_demo_city():
        return date.fromisoformat(getattr(settings, "DEMO_REFERENCE_DATE", "2025-08-10"))
    return timezone.localdate()


def overdue_q(today: date | None = None) -> Q:
    """A next step whose date has passed and that is not marked done."""
    today = today or reference_day()
    return Q(next_step_done=False, next_step_on__isnull=False, next_step_on__lt=today)


def overdue_visits(*, user, today: date | None = None) -> QuerySet[Visit]:
    """The overdue next steps the user can act on (her own units' visits), oldest first."""
    return (
        scoping.changeable_visits(user)
        .filter(overdue_q(today))
        .select_related("unit", "company")
        .order_by("next_step_on", "id")
    )


# --- Summary ------------------------------------------------------------------------------


@dataclass
class Summary:
    unit: OrgUnit
    start: date
    end: date
    days: int
    cities: int
    regions: int
    visits: int
    km: Decimal
    trips: int

    @property
    def period_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def km_rounded(self) -> int:
        """About D km: to the hundred from 1000 km, else to the ten (half up)."""
        step = Decimal(100) if self.km >= 1000 else Decimal(10)
        return int((self.km / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)

    @property
    def text(self) -> str:
        # The report's own wording (generated output, like the bulletin), not an interface text.
        return (
            f"{self.days}天内奔赴{self.cities}个重点城市、{self.regions}个重点区域，"
            f"开展{self.visits}次拜访，累计行程约{self.km_rounded}公里"
        )

    def as_dict(self) -> dict:
        return {
            "unit": {"id": self.unit.pk, "code": self.unit.code, "name": self.unit.name},
            "from": self.start,
            "to": self.end,
            "period_days": self.period_days,
            "days": self.days,
            "cities": self.cities,
            "regions": self.regions,
            "visits": self.visits,
            "km": self.km,
            "km_rounded": self.km_rounded,
            "trips": self.trips,
            "text": self.text,
        }


def city_key():
    """The city a stop's place lies in, as a region id (NULL when it names no city)."""
    provinces = dict(Region.objects.filter(code__in=CITY_PROVINCES).values_list("code", "id"))
    cities = dict(Region.objects.filter(code__in=CITY_PROVINCES.values()).values_list("code", "id"))
    whens = [
        When(place_id=provinces[code], then=Value(cities[city]))
        for code, city in CITY_PROVINCES.items()
        if code in provinces and city in cities
    ]
    return Case(
        *whens,
        When(place__kind=RegionKind.FOREIGN_CITY, then=F("place_id")),
        When(place__kind__in=[RegionKind.CITY, RegionKind.COUNTY], then=F("place__city_id")),
        default=Value(None),
        output_field=IntegerField(),
    )


def trips_in(*, user, unit: OrgUnit, start: date, end: date) -> QuerySet[Trip]:
    return scoping.visible_trips(user).filter(
        unit_id__in=scoping.unit_subtree_ids(unit.pk), start_on__gte=start, start_on__lte=end
    )


def _days_covered(spans, start: date, end: date) -> int:
    """Calendar days covered by at least one span, within [start, end] (spans merged in order)."""
    days = 0
    last = start - timedelta(days=1)  # the last day already counted
    for first, final in sorted(spans):
        first, final = max(first, last + timedelta(days=1)), min(final, end)
        if final >= first:
            days += (final - first).days + 1
            last = final
    return days


def summary(*, user, unit: OrgUnit, start: date, end: date) -> Summary:
    trips = trips_in(user=user, unit=unit, start=start, end=end)
    stops = TripStop.objects.filter(trip__in=trips).exclude(place__kind=RegionKind.COUNTRY)
    cities = (
        stops.annotate(city_ref=city_key())
        .filter(city_ref__isnull=False)
        .aggregate(n=Count("city_ref", distinct=True))["n"]
    )
    regions = stops.aggregate(n=Count("place_id", distinct=True))["n"]
    totals = trips.aggregate(
        km=Coalesce(Sum("reported_total_km"), Value(Decimal(0)), output_field=KM_FIELD),
        n=Count("id"),
    )
    visits = (
        scoping.visible_visits(user)
        .filter(
            unit_id__in=scoping.unit_subtree_ids(unit.pk),
            visited_on__gte=start,
            visited_on__lte=end,
        )
        .count()
    )
    days = _days_covered(trips.values_list("start_on", "end_on"), start, end)
    return Summary(
        unit=unit,
        start=start,
        end=end,
        days=days,
        cities=cities,
        regions=regions,
        visits=visits,
        km=totals["km"],
        trips=totals["n"],
    )


# --- Events -------------------------------------------------------------------------------


def _yi_text(wan: Decimal | None) -> str:
    yi = (wan or Decimal(0)) / 10000
    return f"{yi.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"


def event_totals(*, user, event: Event, definition=None) -> dict:
    """What an event's page totals: its signed projects (those the user may see), their total
    investment, how many count as 亿元以上 under the definition (stats.selectors decides), and
    how many reached each stage after 签约."""
    from yinli.projects.models import STAGE_ORDER, Stage, StageChange, stage_rank
    from yinli.stats.definitions import current_definition, threshold_words
    from yinli.stats.selectors import counted_projects, live_projects

    definition = definition or current_definition()
    projects = live_projects(user=user).filter(event=event, first_signed_on__isnull=False)
    totals = projects.aggregate(count=Count("id"), total=Sum("total_investment"))
    counted = counted_projects(
        definition=definition, start=date(1900, 1, 1), end=date(9999, 12, 31), user=user
    ).filter(event=event)
    counted_totals = counted.aggregate(count=Count("id"), total=Sum("total_investment"))
    later = [s for s in STAGE_ORDER if stage_rank(s) > stage_rank(Stage.SIGNED)]
    reached = dict(
        StageChange.objects.filter(project__in=projects, stage__in=later)
        .values("stage")
        .annotate(n=Count("project_id", distinct=True))
        .values_list("stage", "n")
    )
    # A project entered straight at a later stage has no log row for the ones it skipped.
    now_at = dict(projects.values("stage").annotate(n=Count("id")).values_list("stage", "n"))
    stages = []
    for stage in later:
        at_or_past = sum(n for s, n in now_at.items() if stage_rank(s) >= stage_rank(stage))
        stages.append(
            {
                "stage": stage,
                "label": str(Stage(stage).label),
                "count": max(reached.get(stage, 0), at_or_past),
            }
        )
    count = totals["count"]
    if count:
        text = f"{count}个项目集中签约，总投资{_yi_text(totals['total'])}亿元"
    else:
        text = "本次活动暂无签约项目"
    return {
        "count": count,
        "total_wan": totals["total"] or Decimal(0),
        "counted": counted_totals["count"],
        "counted_total_wan": counted_totals["total"] or Decimal(0),
        "threshold_words": threshold_words(definition),
        "definition_version": definition.version,
        "stages": stages,
        "text": text,
        "projects": projects,
    }


# --- Channels -----------------------------------------------------------------------------


def signed_in(*, user, start: date, end: date):
    from yinli.stats.selectors import live_projects

    return live_projects(user=user).filter(first_signed_on__gte=start, first_signed_on__lte=end)


def channel_figures(*, user, start: date, end: date, definition=None) -> list[dict]:
    """Signed projects by channel in the period: count and investment, and of them 亿元以上."""
    from yinli.stats.definitions import current_definition
    from yinli.stats.selectors import counted_projects

    definition = definition or current_definition()
    signed = {
        row["channel_id"]: row
        for row in signed_in(user=user, start=start, end=end)
        .order_by()
        .values("channel_id")
        .annotate(count=Count("id"), total=Sum("total_investment"))
    }
    counted = {
        row["channel_id"]: row
        for row in counted_projects(definition=definition, start=start, end=end, user=user)
        .order_by()
        .values("channel_id")
        .annotate(count=Count("id"), total=Sum("total_investment"))
    }
    rows = []
    for channel in [*Channel.objects.all(), None]:
        key = channel.pk if channel else None
        if channel is None and key not in signed:
            continue
        rows.append(
            {
                "channel": channel,
                "code": channel.code if channel else "",
                "name": channel.name if channel else "",
                "count": signed.get(key, {}).get("count", 0),
                "total_wan": signed.get(key, {}).get("total") or Decimal(0),
                "counted": counted.get(key, {}).get("count", 0),
                "counted_total_wan": counted.get(key, {}).get("total") or Decimal(0),
            }
        )
    return rows


def introducer_ranking(*, user, start: date, end: date, limit: int = 20) -> list[dict]:
    """The local companies that introduced the most investment (以商引商), by signed projects."""
    projects = signed_in(user=user, start=start, end=end)
    rows = (
        ChannelAttribution.objects.filter(project__in=projects, introducer_company__isnull=False)
        .values("introducer_company_id", "introducer_company__name")
        .annotate(count=Count("project_id"), total=Sum("project__total_investment"))
        .order_by(F("total").desc(nulls_last=True), "-count", "introducer_company__name")[:limit]
    )
    return [
        {
            "id": row["introducer_company_id"],
            "name": row["introducer_company__name"],
            "count": row["count"],
            "total_wan": row["total"] or Decimal(0),
        }
        for row in rows
    ]


def agent_ranking(*, user, start: date, end: date, limit: int = 20) -> list[dict]:
    """The agents (委托招商, 中介招商) that brought the most investment, by signed projects."""
    projects = signed_in(user=user, start=start, end=end)
    rows = (
        ChannelAttribution.objects.filter(project__in=projects)
        .exclude(agent="")
        .values("agent")
        .annotate(count=Count("project_id"), total=Sum("project__total_investment"))
        .order_by(F("total").desc(nulls_last=True), "-count", "agent")[:limit]
    )
    return [
        {"name": row["agent"], "count": row["count"], "total_wan": row["total"] or Decimal(0)}
        for row in rows
    ]


# --- Calendar -----------------------------------------------------------------------------


def month_calendar(*, user, year: int, month: int, unit: OrgUnit | None = None) -> dict:
    """The weeks of a month (Monday first), each day with its visits, trips and events."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    visits = scoping.visible_visits(user).filter(visited_on__gte=first, visited_on__lte=last)
    trips = scoping.visible_trips(user).filter(start_on__lte=last, end_on__gte=first)
    events = (
        scoping.visible_events(user)
        .filter(held_on__lte=last)
        .filter(Q(ends_on__gte=first) | Q(ends_on__isnull=True, held_on__gte=first))
    )
    if unit is not None:
        units = scoping.unit_subtree_ids(unit.pk)
        visits = visits.filter(unit_id__in=units)
        trips = trips.filter(unit_id__in=units)
        events = events.filter(organiser_id__in=units)
    by_day: dict[date, dict[str, list]] = defaultdict(
        lambda: {"visits": [], "trips": [], "events": []}
    )
    for visit in visits.select_related("company", "unit").order_by("visited_on", "id"):
        by_day[visit.visited_on]["visits"].append(visit)
    for trip in trips.select_related("unit").order_by("start_on", "id"):
        day = max(trip.start_on, first)
        while day <= min(trip.end_on, last):
            by_day[day]["trips"].append(trip)
            day += timedelta(days=1)
    for event in events.order_by("held_on", "id"):
        day = max(event.held_on, first)
        while day <= min(event.ends_on or event.held_on, last):
            by_day[day]["events"].append(event)
            day += timedelta(days=1)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [{"day": day, "in_month": day.month == month, **by_day.get(day, {})} for day in week]
        )
    return {
        "first": first,
        "last": last,
        "weeks": weeks,
        "counts": {
            "visits": visits.count(),
            "trips": trips.count(),
            "events": events.count(),
        },
    }

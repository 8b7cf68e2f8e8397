"""A figure and the same figure a year before come out of one query (conditional aggregates over
the projects counted in either period), and give what the one selector gives for each period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from tests.stats.conftest import signed
from yinli.stats import selectors
from yinli.stats.figures import Context, in_statistics_figures, signed_figures
from yinli.stats.periods import parse_period, previous_year


def _records(city):
    # Both periods, their edges, and the days just outside them.
    for on, wan in (
        (date(2025, 1, 1), "10000"),  # the first day, exactly 1亿
        (date(2025, 6, 30), "25000"),
        (date(2025, 7, 1), "30000"),  # outside 2025H1
        (date(2024, 1, 1), "12000"),
        (date(2024, 6, 30), "18000"),
        (date(2024, 7, 1), "40000"),  # outside 2024H1
        (date(2023, 12, 31), "50000"),
        (date(2025, 3, 3), "9999.99"),  # below the threshold
    ):
        signed(city, on=on, wan=wan, fai_on=on.replace(day=1))
    signed(city, on=date(2024, 3, 3), wan="20000", category="service", fai_on=date(2024, 3, 1))


def test_the_projects_counted_in_two_periods_are_those_counted_in_each(city, definition):
    _records(city)
    now = parse_period("2025H1")
    before = previous_year(now)
    both = selectors.counted_projects_in(definition=definition, periods=[now, before])
    each = set()
    for period in (now, before):
        each |= set(
            selectors.counted_projects(
                definition=definition, start=period.start, end=period.end
            ).values_list("pk", flat=True)
        )
    assert set(both.values_list("pk", flat=True)) == each
    assert len(each) == 5
    accepted = selectors.in_statistics_projects_in(periods=[(now.start, now.end), before])
    assert accepted.count() == 6  # 入库列统 has no threshold: the 9999.99 one too


def test_the_headline_and_its_yoy_take_one_query_each_and_match_the_selector(city, definition):
    _records(city)
    ctx = Context(definition=definition, period=parse_period("2025H1"), user=city.analyst)
    with CaptureQueriesContext(connection) as captured:
        figures = signed_figures(ctx)
        accepted = in_statistics_figures(ctx)
    assert len(captured.captured_queries) == 2

    def totals(queryset):
        result = queryset.aggregate(wan=Sum("total_investment"))
        return queryset.count(), (result["wan"] or Decimal(0)) / 10000

    for key, period in (("now", ctx.period), ("previous", ctx.previous)):
        count, yi = totals(ctx.counted(period))
        shown = figures["signed"] if key == "now" else figures["signed"]["previous"]
        assert (shown["count"], shown["investment_yi"]) == (count, yi)
        count, yi = totals(ctx.in_statistics(period))
        shown = accepted if key == "now" else accepted["previous"]
        assert (shown["count"], shown["investment_yi"]) == (count, yi)
    assert (figures["signed"]["count"], figures["signed"]["previous"]["count"]) == (2, 3)
    assert figures["signed"]["count_yoy_pct"] == Decimal(2 - 3) * 100 / 3
    assert figures["signed"]["service"]["previous"]["count"] == 1
    assert figures["signed"]["service"]["count_yoy_pct"] == Decimal(-100)

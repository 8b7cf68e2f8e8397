"""The report reads the period's counted projects once (figures.Tally) and builds every breakdown
from them; each figure function alone runs its own aggregate query. Both must give the same
figures: compared here on a generated province (bench/statsdata.py, a few thousand projects),
for the city, a district and a district reader, under the default definition and a changed one.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from bench import statsdata
from yinli.companies.models import Ownership
from yinli.core.models import Role, User
from yinli.projects.models import Project
from yinli.stats import figures
from yinli.stats.definitions import current_definition, definition_new_version
from yinli.stats.periods import parse_period, years_back

PROJECTS = 3000


@pytest.fixture
def province(db):
    return statsdata.generate(projects=PROJECTS, progress=lambda text: None)


def same(a, b, where="") -> None:
    """Equal, Decimals to a relative 1e-9 (SQLite adds amounts up in floating point)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (where, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, Decimal) and isinstance(b, Decimal):
        assert abs(a - b) <= Decimal("1e-9") * max(Decimal(1), abs(a), abs(b)), (where, a, b)
    else:
        assert a == b, (where, a, b)


def one_by_one(ctx: figures.Context) -> dict:
    """Each breakdown of all_figures by its own figure function (no Tally)."""
    assert ctx.tally is None
    totals = figures.signed_figures(ctx)["_totals"]
    result = {
        "by_source_province": figures.source_rows(ctx, "source_province", totals),
        "by_source_city": figures.source_rows(ctx, "source_city", totals),
        "by_source_country": figures.source_rows(ctx, "source_country", totals),
        "by_region_group": figures.region_group_rows(ctx, totals),
        "by_source_class": figures.source_class_rows(ctx, totals),
        "by_district": figures.breakdown(ctx, "district", totals, name_field="district__name"),
        "by_industry": figures.breakdown(ctx, "industry", totals, name_field="industry__name"),
        "by_channel": figures.breakdown(ctx, "channel", totals, name_field="channel__name"),
        "by_size_band": figures.size_band_rows(ctx, totals),
        "by_ownership": figures.breakdown(
            ctx, "ownership", totals, names=figures._choice_label(Ownership)
        ),
        "by_event": figures.breakdown(
            ctx, "event", totals, name_field="event__name", skip_none=True
        ),
        "follow_through": figures.follow_through(ctx),
    }
    figures.fill_region_names(result["by_source_province"], result["by_source_city"])
    figures.country_names(result["by_source_country"])
    return result


def check(ctx: figures.Context) -> dict:
    tallied = figures.all_figures(ctx)
    alone = one_by_one(ctx)
    for key, rows in alone.items():
        same(tallied[key], rows, key)
    return tallied


def test_the_tally_gives_the_figures_of_each_query_for_the_city(province):
    ctx = figures.Context(
        definition=current_definition(), period=parse_period("2025H1"), user=province["analyst"]
    )
    tallied = check(ctx)
    # The comparison compares something: every kind of row is there.
    for key in ("by_source_city", "by_region_group", "by_district", "by_ownership", "by_event"):
        assert sum(row["count"] for row in tallied[key]) > 0, key
    assert tallied["follow_through"]["started_count"] > 0
    assert tallied["follow_through"]["funds_in_place_yi"] > 0
    classes = {row["key"]: row["count"] for row in tallied["by_source_class"]}
    assert classes["outside"] and classes["local"] and classes["expansion"]


def biggest(province):
    pks = [d.pk for d in province["districts"]]
    top = (
        Project.objects.filter(district__in=pks)
        .values("district")
        .annotate(n=Count("pk"))
        .order_by("-n", "district")
    )
    return next(d for d in province["districts"] if d.pk == top[0]["district"])


def test_the_tally_gives_the_figures_of_each_query_for_a_district(province):
    district = biggest(province)
    for period in ("2025H1", "2025", "2024"):
        ctx = figures.Context(
            definition=current_definition(),
            period=parse_period(period),
            user=province["analyst"],
            district=district,
        )
        assert check(ctx)["signed"]["count"] > 0, period


def test_the_tally_keeps_to_a_district_readers_projects(province):
    district = biggest(province)
    reader = User.objects.create_user(
        username="tally-reader", role=Role.DISTRICT_EDITOR, org_unit=district
    )
    ctx = figures.Context(
        definition=current_definition(), period=parse_period("2025H1"), user=reader
    )
    tallied = check(ctx)
    assert [row["key"] for row in tallied["by_district"]] in ([district.pk], [])


def test_the_tally_follows_a_changed_definition(province):
    changed = definition_new_version(
        based_on=current_definition(),
        changes={"expansion_as_local": False, "threshold_total_wan": "30000"},
        by=province["analyst"],
    )
    ctx = figures.Context(definition=changed, period=parse_period("2025"), user=province["analyst"])
    tallied = check(ctx)
    assert "expansion" not in {row["key"] for row in tallied["by_source_class"]}


def test_the_top_source_cities_are_those_of_the_window(province):
    ctx = figures.Context(
        definition=current_definition(), period=parse_period("2025H1"), user=province["analyst"]
    )
    window, rows = figures.top_source_cities(ctx, limit=8)
    assert window == years_back(ctx.period, int(ctx.definition.top_cities_years))
    # As a breakdown of the window's counted projects, shares of all of them.
    counted = ctx.counted(window)
    result = counted.aggregate(count=Count("pk"), wan=Sum("total_investment"))
    totals = (result["count"], result["wan"] or 0)
    expected = figures.source_rows(ctx, "source_city", totals, queryset=counted, period=window)
    assert len(rows) == 8
    same(rows, expected[:8], "top_source_cities")

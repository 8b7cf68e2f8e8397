"""The dashboard (驾驶舱): its tiles and panels say what the report says, for the reader's scope."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.stats.test_drilldown import list_totals, richer_half_year  # noqa: F401
from tests.stats.test_figures import half_year  # noqa: F401
from yinli.core.models import OrgKind, OrgUnit
from yinli.stats import dashboard
from yinli.stats.definitions import definition_new_version
from yinli.stats.report import build_report

CJK = re.compile(r"[\u4e00-\u9fff]")

# A panel and the report's list of rows it draws.
PANEL_ROWS = {
    "district": "by_district",
    "industry": "by_industry",
    "category": "by_category",
    "channel": "by_channel",
    "size_band": "by_size_band",
    "ownership": "by_ownership",
    "event": "by_event",
    "region_group": "by_region_group",
    "source_city": "by_source_city",
    "source_province": "by_source_province",
    "source_country": "by_source_country",
    "top_cities": "top_source_cities",
}

FIELDS = ("key", "name", "count", "investment_yi", "count_share_pct", "url")


def index(client, **query):
    """The page with its tiles in it (?tiles=inline, the way without JavaScript)."""
    return client.get(reverse("stats:index"), {"tiles": "inline", **query})


def shell(client, **query):
    """The page as it first comes (the tiles and panels load on their own)."""
    return client.get(reverse("stats:index"), query)


def tiles(client, **query):
    return client.get(reverse("stats:tiles"), query)


def panel(client, name, **query):
    return client.get(reverse("stats:panel", args=[name]), query)


def pick(rows):
    return [{field: row.get(field) for field in FIELDS} for row in rows]


# --- the page and its tiles --------------------------------------------------------------------


def test_the_tiles_show_the_reports_headline_figures(richer_half_year, city, as_user):  # noqa: F811
    response = index(as_user(city.analyst), period="2025H1")
    assert response.status_code == 200
    report = build_report(user=city.analyst, period="2025H1")
    tiles = response.context["tiles"]
    assert tiles["signed"]["count"] == report["signed"]["count"] == 8
    assert tiles["signed"]["investment_yi"] == report["signed"]["investment_yi"]
    assert tiles["signed"]["count_yoy_pct"] == report["signed"]["count_yoy_pct"]
    assert tiles["foreign"]["investment_share_pct"] == report["foreign"]["investment_share_pct"]
    assert tiles["in_statistics"] == report["in_statistics"]
    body = response.content.decode()
    assert f'href="{report["signed"]["url"]}"'.replace("&", "&amp;") in body
    assert "+300%" in body  # 8 against 2 a year before


def test_a_tile_lists_the_same_count_and_total(richer_half_year, city, as_user):  # noqa: F811
    client = as_user(city.analyst)
    tiles = index(client, period="2025H1").context["tiles"]
    for figure in (tiles["signed"], tiles["in_statistics"], *tiles["by_category"]):
        assert list_totals(client, figure["url"]) == (figure["count"], figure["investment_yi"])
    assert list_totals(client, tiles["foreign"]["url"])[0] == tiles["foreign"]["count"]


def test_every_figure_names_the_definition_version(half_year, city, as_user):  # noqa: F811
    client = as_user(city.analyst)
    body = index(client, period="2025H1").content.decode()
    assert "亿元以上项目统计口径 v1" in body
    data = panel(client, "district", period="2025H1").json()
    assert data["definition"]["version"] == 1
    assert "v1" in data["definition"]["label"]


def test_the_default_period_is_the_year_so_far(half_year, city, as_user):  # noqa: F811
    response = index(as_user(city.analyst))
    today = date.today()
    assert response.context["selection"].period.code == dashboard.default_period(today).code
    assert response.context["selection"].period.start == date(today.year, 1, 1)


def test_the_demo_city_opens_on_its_reference_date(half_year, city, as_user, settings):  # noqa: F811
    settings.DEMO_REFERENCE_DATE = "2025-08-10"
    OrgUnit.objects.create(code="demo-city", name="演示市", kind=OrgKind.CITY)
    cache.clear()
    try:
        response = index(as_user(city.analyst))
    finally:
        cache.clear()
    assert response.context["selection"].period.code == "2025-01..2025-08"
    assert "2025年1-8月" in response.content.decode()


@pytest.mark.parametrize(
    "text", ["2025H1", "2025Q3", "2025-07", "2025", "2025-01..2025-08", "2025-01-01..2025-06-30"]
)
def test_the_period_picker_reads_the_cli_labels(half_year, city, as_user, text):  # noqa: F811
    response = index(as_user(city.analyst), period=text)
    assert response.status_code == 200
    assert response.context["selection"].errors == []
    report = build_report(user=city.analyst, period=text)
    assert response.context["tiles"]["signed"]["count"] == report["signed"]["count"]


@pytest.mark.parametrize("text", ["2025Q5", "2025-13", "2025-06-31..2025-07-01", "上半年"])
def test_a_bad_period_is_explained_in_chinese(half_year, city, as_user, text):  # noqa: F811
    response = index(as_user(city.analyst), period=text)
    assert response.status_code == 200
    errors = response.context["selection"].errors
    assert len(errors) == 1 and CJK.search(errors[0]) and text in errors[0]
    body = response.content.decode()
    assert 'id="selection-errors"' in body
    # The page still shows the default period instead.
    assert response.context["selection"].period == dashboard.default_period()


def test_a_bad_period_makes_a_panel_refuse_in_chinese(half_year, city, as_user):  # noqa: F811
    response = panel(as_user(city.analyst), "district", period="2025H3")
    assert response.status_code == 400
    assert CJK.search(response.json()["errors"][0])


def test_an_unknown_definition_version_is_explained(half_year, city, as_user):  # noqa: F811
    response = index(as_user(city.analyst), period="2025H1", definition="42")
    errors = response.context["selection"].errors
    assert errors and "42" in errors[0] and CJK.search(errors[0])


def test_the_definition_picker_changes_the_figures(half_year, city, as_user):  # noqa: F811
    v2 = definition_new_version(
        based_on=build_definition(), changes={"threshold_total_wan": "25000"}, by=city.analyst
    )
    client = as_user(city.analyst)
    response = index(client, period="2025H1", definition=str(v2.version))
    assert response.context["selection"].definition == v2
    # Only B (3亿) reaches 2.5亿 in 2025H1; C still counts by its 2000万美元 agreed.
    assert response.context["tiles"]["signed"]["count"] == 2
    assert index(client, period="2025H1", definition="1").context["tiles"]["signed"]["count"] == 5


def build_definition():
    from yinli.stats.definitions import get_definition

    return get_definition(1)


def test_a_unknown_panel_is_not_found(half_year, city, as_user):  # noqa: F811
    assert panel(as_user(city.analyst), "horoscope", period="2025H1").status_code == 404


def test_the_page_paints_without_computing_the_panels(half_year, city, as_user):  # noqa: F811
    # The shell links each panel to its own endpoint instead of holding its data.
    response = shell(as_user(city.analyst), period="2025H1")
    body = response.content.decode()
    for name in dashboard.PANELS:
        assert f'data-panel="{name}"' in body
        assert reverse("stats:panel", args=[name]) + "?period=2025H1" in body.replace("&amp;", "&")


def test_the_page_paints_before_the_tiles_are_computed(richer_half_year, city, as_user):  # noqa: F811
    client = as_user(city.analyst)
    with CaptureQueriesContext(connection) as queries:
        response = shell(client, period="2025H1")
    assert response.status_code == 200
    assert response.context["tiles"] is None
    assert not [q for q in queries if "projects_project" in q["sql"]]  # no figure computed
    body = response.content.decode().replace("&amp;", "&")
    assert 'id="tile-signed-count"' not in body
    assert f'data-url="{reverse("stats:tiles")}?period=2025H1' in body
    # Without JavaScript, a link asks for the page with the tiles in it.
    assert '<noscript><a href="?period=2025H1&definition=1&tiles=inline">' in body


def test_the_tiles_fragment_is_the_tiles_of_the_page(richer_half_year, city, as_user):  # noqa: F811
    client = as_user(city.analyst)
    fragment = tiles(client, period="2025H1")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html and 'id="tile-signed-count"' in html
    report = build_report(user=city.analyst, period="2025H1")
    assert fragment.context["tiles"]["signed"]["count"] == report["signed"]["count"] == 8
    assert "+300%" in html  # 8 against 2 a year before
    page = index(client, period="2025H1").content.decode()
    assert html.strip() in page
    # The page with its tiles keeps them on when the period changes.
    assert 'name="tiles" value="inline"' in page
    presets = index(client, period="2025H1").context["presets"]
    assert all(parse_qs(urlsplit(p["url"]).query)["tiles"] == ["inline"] for p in presets)


def test_the_tiles_keep_to_the_readers_scope(richer_half_year, city, as_user):  # noqa: F811
    client = as_user(city.jingkou_editor)
    assert tiles(client, period="2025H1").context["tiles"]["signed"]["count"] == 2
    other = str(city.jingkai.pk)
    assert tiles(client, period="2025H1", district=other).status_code == 404
    outsider = as_user(city.outsider)
    assert tiles(outsider, period="2025H1").context["tiles"]["signed"]["count"] == 0
    assert tiles(Client(), period="2025H1").status_code == 302  # anonymous: log in first


# --- each panel against the report ------------------------------------------------------------


@pytest.mark.parametrize("name, key", sorted(PANEL_ROWS.items()))
def test_a_panel_shows_the_reports_rows(richer_half_year, city, as_user, name, key):  # noqa: F811
    data = panel(as_user(city.analyst), name, period="2025H1").json()
    report = build_report(user=city.analyst, period="2025H1")
    expected = report[key][: dashboard.TOP_ROWS] if name != "top_cities" else report[key]
    assert pick(data["rows"]) == pick(expected)
    assert data["rows"], f"{name}: the small half year has rows to show"


def test_the_region_group_panel_shows_local_apart(richer_half_year, city, as_user):  # noqa: F811
    data = panel(as_user(city.analyst), "region_group", period="2025H1").json()
    report = build_report(user=city.analyst, period="2025H1")
    assert pick(data["apart"]) == pick(report["by_source_class"])


def test_the_map_panel_puts_sources_at_their_coordinates(richer_half_year, city, as_user):  # noqa: F811
    data = panel(as_user(city.analyst), "source_map", period="2025H1").json()
    report = build_report(user=city.analyst, period="2025H1")
    expected = [row for row in report["by_source_city"] if row.get("lng") is not None]
    assert [(r["name"], r["count"], r["lng"], r["lat"]) for r in data["rows"]] == [
        (r["name"], r["count"], r["lng"], r["lat"]) for r in expected
    ]
    shanghai = next(r for r in data["rows"] if r["name"].startswith("上海"))
    assert 120 < shanghai["lng"] < 123 and 30 < shanghai["lat"] < 32


def test_the_follow_through_panel_gives_the_reports_rates(richer_half_year, city, as_user):  # noqa: F811
    data = panel(as_user(city.analyst), "follow_through", period="2025H1").json()
    follow = build_report(user=city.analyst, period="2025H1")["follow_through"]
    rates = {row["key"]: row["pct"] for row in data["rows"]}
    assert rates == {
        "started": follow["started_pct"],
        "fulfilled": follow["fulfilled_pct"],
        "funds_in_place": follow["funds_in_place_pct"],
        "producing": follow["producing_pct"],
    }


def test_the_pipeline_panel_gives_the_reports_stages(richer_half_year, city, as_user):  # noqa: F811
    data = panel(as_user(city.analyst), "pipeline", period="2025H1").json()
    pipeline = build_report(user=city.analyst, period="2025H1")["pipeline"]
    assert pick(data["rows"]) == pick(pipeline["by_stage"])
    assert data["leads"] == pipeline["leads"]


def test_the_trend_adds_up_to_the_signed_figures(richer_half_year, city, as_user):  # noqa: F811
    data = panel(as_user(city.analyst), "trend", period="2025H1").json()
    report = build_report(user=city.analyst, period="2025H1")
    months = data["months"]
    assert [m["name"] for m in months] == ["1月", "2月", "3月", "4月", "5月", "6月"]
    assert sum(m["count"] for m in months) == report["signed"]["count"]
    assert sum(m["previous"]["count"] for m in months) == report["signed"]["previous"]["count"]
    march = months[2]
    # A and C, and the three the richer half year signs on 12 March.
    assert march["count"] == 5 and march["previous"]["count"] == 0


def test_a_single_month_trend_shows_the_year_up_to_it(half_year, city, as_user):  # noqa: F811
    data = panel(as_user(city.analyst), "trend", period="2025-05").json()
    assert [m["name"] for m in data["months"]] == ["1月", "2月", "3月", "4月", "5月"]


def test_a_date_range_trend_clips_its_months(half_year, city, as_user):  # noqa: F811
    data = panel(as_user(city.analyst), "trend", period="2025-03-13..2025-06-30").json()
    march = data["months"][0]
    assert march["label"] == "2025年3月13日至3月31日"
    assert march["count"] == 1  # C on 15 March; A on 12 March falls outside


@pytest.mark.parametrize("name", ["trend", "pipeline", "source_map", *sorted(PANEL_ROWS)])
def test_every_chart_element_lists_its_projects(richer_half_year, city, as_user, name):  # noqa: F811
    client = as_user(city.analyst)
    data = panel(client, name, period="2025H1").json()
    rows = data.get("rows") or data["months"] + [m["previous"] for m in data["months"]]
    rows += data.get("apart", [])
    assert rows
    for row in rows:
        assert list_totals(client, row["url"]) == (row["count"], row["investment_yi"]), row


def test_the_follow_through_bars_list_their_projects(richer_half_year, city, as_user):  # noqa: F811
    client = as_user(city.analyst)
    data = panel(client, "follow_through", period="2025H1").json()
    for row in data["rows"]:
        if row["key"] != "funds_in_place":
            assert list_totals(client, row["url"])[0] == row["count"], row


# --- scope ------------------------------------------------------------------------------------


def test_the_city_picks_a_district(richer_half_year, city, as_user):  # noqa: F811
    client = as_user(city.analyst)
    response = index(client, period="2025H1", district=str(city.jingkou.pk))
    assert response.context["selection"].district == city.jingkou
    report = build_report(user=city.analyst, period="2025H1", district=city.jingkou)
    assert response.context["tiles"]["signed"]["count"] == report["signed"]["count"] == 2
    data = panel(client, "district", period="2025H1", district=str(city.jingkou.pk)).json()
    assert [r["name"] for r in data["rows"]] == ["京口区"]
    assert parse_qs(urlsplit(data["rows"][0]["url"]).query)["district"] == [str(city.jingkou.pk)]


def test_the_city_is_told_of_an_unknown_district(half_year, city, as_user):  # noqa: F811
    response = index(as_user(city.analyst), period="2025H1", district="99999")
    assert response.context["selection"].errors and response.context["selection"].district is None


def test_a_district_sees_its_own_figures_only(richer_half_year, city, as_user):  # noqa: F811
    client = as_user(city.jingkou_editor)
    response = index(client, period="2025H1")
    assert response.context["selection"].district == city.jingkou
    assert response.context["tiles"]["signed"]["count"] == 2
    assert list(response.context["districts"]) == []
    data = panel(client, "district", period="2025H1").json()
    assert [r["name"] for r in data["rows"]] == ["京口区"]


def test_it_refuses_another_districts_figures(half_year, city, as_user):  # noqa: F811
    client = as_user(city.jingkou_editor)
    other = str(city.jingkai.pk)
    assert index(client, period="2025H1", district=other).status_code == 404
    assert panel(client, "district", period="2025H1", district=other).status_code == 404
    own = str(city.jingkou.pk)
    assert index(client, period="2025H1", district=own).status_code == 200


def test_the_outsider_sees_nothing_of_the_others(richer_half_year, city, as_user):  # noqa: F811
    client = as_user(city.outsider)
    response = index(client, period="2025H1")
    assert response.context["tiles"]["signed"]["count"] == 0
    data = panel(client, "source_city", period="2025H1").json()
    assert data["rows"] == []


def test_a_team_member_counts_what_she_may_see(richer_half_year, city, as_user):  # noqa: F811
    client = as_user(city.team_member)
    tiles = index(client, period="2025H1").context["tiles"]
    report = build_report(user=city.team_member, period="2025H1")
    assert tiles["signed"]["count"] == report["signed"]["count"]


def test_anonymous_readers_are_sent_to_log_in(half_year, client):  # noqa: F811
    response = index(client, period="2025H1")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert panel(client, "district").status_code == 302


def test_the_quick_picks_cover_the_selected_year(half_year, city, as_user):  # noqa: F811
    response = index(as_user(city.analyst), period="2024Q2", district=str(city.jingkou.pk))
    presets = response.context["presets"]
    codes = [p["code"] for p in presets]
    assert codes[:7] == ["2024", "2024H1", "2024H2", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    assert "2024-01..2024-12" in codes
    assert [p["code"] for p in presets if p["active"]] == ["2024Q2"]
    first = parse_qs(urlsplit(presets[0]["url"]).query)
    assert first["district"] == [str(city.jingkou.pk)] and first["period"] == ["2024"]

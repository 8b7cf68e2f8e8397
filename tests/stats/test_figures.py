"""Each figure of a small, hand-built half year against the value worked out by hand."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests import factories
from tests.stats.conftest import rate, region, signed
from yinli.fieldwork.models import Event, EventKind
from yinli.projects.models import Category, FundsInPlace, Kind, Stage, StageChange, Status
from yinli.stats.report import build_report


def r1(value) -> float:
    return float(Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP))


@pytest.fixture
def half_year(city):
    """2025H1: five counted projects (8.7亿), 2024H1: two (6亿), and some that do not count."""
    p = {}
    p["A"] = signed(
        city,
        wan="20000",
        source="310115",
        on=date(2025, 3, 12),
        stage=Stage.STARTED,
        fai_on=date(2025, 5, 1),
    )
    p["B"] = signed(
        city,
        wan="30000",
        source="440300",
        on=date(2025, 4, 1),
        district=city.jingkou,
        category=Category.SERVICE,
        stage=Stage.REGISTERED,
        status=Status.LOST,
        lost_to=region("320500"),
    )
    p["C"] = signed(
        city,
        wan="15000",
        source="KR-SEOUL",
        ownership="foreign",
        on=date(2025, 3, 15),
        foreign_investment="2000",
        foreign_currency="USD",
        stage=Stage.PRODUCING,
    )
    p["D"] = signed(
        city, wan="12000", source="321102", on=date(2025, 5, 20), stage=Stage.REGISTERED
    )
    p["E"] = signed(
        city,
        wan="10000",
        source="310115",
        on=date(2025, 6, 30),
        kind=Kind.EXPANSION,
        district=city.jingkou,
    )
    # Not counted: other category, below the threshold, signed in July.
    signed(city, wan="50000", category=Category.OTHER)
    signed(city, wan="9000")
    signed(city, wan="20000", on=date(2025, 7, 1))
    # 2024H1 and 2023.
    p["P1"] = signed(city, wan="40000", source="310115", on=date(2024, 2, 1))
    p["P2"] = signed(city, wan="20000", source="440300", on=date(2024, 5, 1))
    p["P0"] = signed(city, wan="10000", source="310115", on=date(2023, 6, 1))
    # 入库列统: A (2亿) and an unsigned project (800万) in 2025H1; 7000万 in 2024H1.
    factories.project(
        city, stage=Stage.NEGOTIATING, signed_on=None, total_wan="800", fai_on=date(2025, 2, 1)
    )
    factories.project(
        city, stage=Stage.NEGOTIATING, signed_on=None, total_wan="7000", fai_on=date(2024, 3, 1)
    )
    FundsInPlace.objects.create(project=p["A"], on=date(2025, 5, 1), amount=Decimal(5000))
    FundsInPlace.objects.create(project=p["A"], on=date(2025, 7, 1), amount=Decimal(3000))
    FundsInPlace.objects.create(project=p["C"], on=date(2025, 6, 1), amount=Decimal(15000))
    return p


@pytest.fixture
def report(half_year, city):
    return build_report(user=city.analyst, period="2025H1")


def rows(report, key):
    return {row["name"]: row for row in report[key]}


def test_signed_count_investment_and_their_change(report):
    assert report["signed"]["count"] == 5
    assert report["signed"]["investment_yi"] == 8.7
    assert report["signed"]["previous"] == {"count": 2, "investment_yi": 6.0}
    assert report["signed"]["count_yoy_pct"] == 150.0
    assert report["signed"]["investment_yoy_pct"] == 45.0


def test_industry_and_services_apart(report):
    industrial, service = report["signed"]["industrial"], report["signed"]["service"]
    assert (industrial["count"], industrial["investment_yi"]) == (4, 5.7)
    assert (industrial["count_yoy_pct"], industrial["investment_yoy_pct"]) == (100.0, -5.0)
    assert (service["count"], service["investment_yi"]) == (1, 3.0)


def test_the_change_on_a_zero_base_is_null(report):
    assert report["signed"]["service"]["count_yoy_pct"] is None
    assert report["signed"]["service"]["investment_yoy_pct"] is None


def test_the_foreign_share_is_total_investment_of_foreign_projects(report):
    foreign = report["foreign"]
    assert foreign["count"] == 1
    assert foreign["investment_share_pct"] == r1(Decimal(15000) * 100 / Decimal(87000))  # 17.2


def test_agreed_foreign_investment_converts_at_the_signing_month(report):
    expected = Decimal(2000) * rate("USD", date(2025, 3, 1)) / 10000
    assert report["foreign"]["agreed_investment_yi"] == r1(expected)


def test_a_project_in_euros_converts_at_its_own_month_rate(city):
    signed(
        city, wan="30000", foreign_investment="1500", foreign_currency="EUR", on=date(2025, 3, 14)
    )
    signed(
        city, wan="30000", foreign_investment="2500", foreign_currency="EUR", on=date(2025, 5, 9)
    )
    report = build_report(user=city.analyst, period="2025H1")
    expected = (
        Decimal(1500) * rate("EUR", date(2025, 3, 1))
        + Decimal(2500) * rate("EUR", date(2025, 5, 1))
    ) / 10000
    assert report["foreign"]["agreed_investment_yi"] == r1(expected)
    at_march_rate = Decimal(4000) * rate("EUR", date(2025, 3, 1)) / 10000
    assert r1(expected) != r1(at_march_rate)


def test_a_month_without_a_rate_takes_the_latest_earlier_one(city):
    from yinli.stats.models import ConversionRate

    ConversionRate.objects.filter(currency="EUR", month=date(2025, 5, 1)).delete()
    signed(
        city, wan="30000", foreign_investment="2500", foreign_currency="EUR", on=date(2025, 5, 9)
    )
    report = build_report(user=city.analyst, period="2025H1")
    assert report["foreign"]["agreed_investment_yi"] == r1(
        Decimal(2500) * rate("EUR", date(2025, 4, 1)) / 10000
    )


def test_yuan_needs_no_rate_and_an_unknown_currency_is_reported(city):
    signed(city, wan="30000", foreign_investment="5000", foreign_currency="CNY")
    signed(city, wan="30000", foreign_investment="100", foreign_currency="CHF")
    report = build_report(user=city.analyst, period="2025H1")
    assert report["foreign"]["agreed_investment_yi"] == 0.5
    assert report["foreign"]["unconverted_count"] == 1
    assert report["warnings"]


def test_in_statistics_count_investment_and_change(report):
    fai = report["in_statistics"]
    assert (fai["count"], fai["investment_yi"]) == (2, 2.1)
    assert fai["previous"] == {"count": 1, "investment_yi": 0.7}
    assert fai["investment_yoy_pct"] == r1((Decimal(20800) - 7000) * 100 / 7000)  # 197.1
    assert fai["count_yoy_pct"] == 100.0


def test_local_investors_stay_out_of_the_sources_but_in_the_totals(report):
    classes = rows(report, "by_source_class")
    assert (classes["市外"]["count"], classes["市外"]["investment_yi"]) == (3, 6.5)
    assert (classes["本地"]["count"], classes["本地"]["investment_yi"]) == (1, 1.2)
    assert (classes["本地增资"]["count"], classes["本地增资"]["investment_yi"]) == (1, 1.0)
    assert classes["本地"]["count_share_pct"] == 20.0
    assert classes["本地增资"]["investment_share_pct"] == r1(Decimal(10000) * 100 / 87000)
    cities = rows(report, "by_source_city")
    assert "镇江市" not in cities


def test_an_expansion_is_local_whoever_owns_the_company(report):
    # E's investor is registered in Shanghai, but an expansion is 本地增资, never a source.
    assert rows(report, "by_source_city")["上海市"]["count"] == 1


def test_sources_by_region_group_share_the_whole_city(report):
    groups = rows(report, "by_region_group")
    gba = groups["粤港澳大湾区"]
    assert (gba["count"], gba["investment_yi"]) == (1, 3.0)
    assert gba["count_share_pct"] == 20.0
    assert gba["investment_share_pct"] == r1(Decimal(30000) * 100 / 87000)  # 34.5
    assert groups["长江三角洲"]["count"] == 1  # A; D is local, E an expansion


def test_sources_by_city_province_and_country(report):
    cities = report["by_source_city"]
    assert [(c["name"], c["count"], c["investment_yi"]) for c in cities] == [
        ("深圳市", 1, 3.0),
        ("上海市", 1, 2.0),
        ("首尔", 1, 1.5),
    ]
    assert cities[0]["code"] == "440300" and cities[0]["lng"] and cities[0]["lat"]
    provinces = {p["name"]: p["count"] for p in report["by_source_province"]}
    assert provinces == {"广东省": 1, "上海市": 1}
    countries = {c["key"]: (c["name"], c["count"]) for c in report["by_source_country"]}
    assert countries == {"CN": ("中国", 2), "KR": ("韩国", 1)}


def test_the_actual_controller_decides_the_source(city):
    signed(city, source="310115", controller_region=region("440300"))
    report = build_report(user=city.analyst, period="2025H1")
    assert [c["name"] for c in report["by_source_city"]] == ["深圳市"]


def test_a_province_level_city_counts_as_a_city(city):
    signed(city, source="810000")
    signed(city, source="310000")
    report = build_report(user=city.analyst, period="2025H1")
    assert {c["code"] for c in report["by_source_city"]} == {"810000", "310100"}
    assert {c["key"]: c["name"] for c in report["by_source_country"]} == {
        "HK": "中国香港",
        "CN": "中国",
    }


def test_by_district_industry_channel_and_ownership(report, city):
    districts = rows(report, "by_district")
    assert (districts["镇江经开区"]["count"], districts["镇江经开区"]["investment_yi"]) == (3, 4.7)
    assert (districts["京口区"]["count"], districts["京口区"]["investment_yi"]) == (2, 4.0)
    assert rows(report, "by_industry")[city.industry.name]["count"] == 5
    assert rows(report, "by_channel")[city.channel.name]["count"] == 5
    ownership = {row["key"]: row["count"] for row in report["by_ownership"]}
    assert ownership == {"private": 4, "foreign": 1}
    assert report["state_owned"]["count"] == 0


def test_by_size_band_counts_cumulatively(city):
    signed(city, wan="350000")
    signed(city, wan="120000", ownership="central_soe")
    signed(city, wan="20000", ownership="local_soe")
    signed(city, wan="3000", foreign_investment="1500", foreign_currency="USD")
    report = build_report(user=city.analyst, period="2025H1")
    bands = {row["key"]: (row["count"], row["investment_yi"]) for row in report["by_size_band"]}
    assert bands == {
        "lt1": (1, 0.3),
        "ge1": (3, 49.0),
        "ge10": (2, 47.0),
        "ge30": (1, 35.0),
    }
    assert report["state_owned"]["count"] == 2


def test_by_event(city):
    event = Event.objects.create(
        name="2025镇江（上海）产业项目集中签约活动",
        kind=EventKind.SIGNING,
        held_on=date(2025, 3, 27),
    )
    signed(city, event=event)
    signed(city, event=event)
    signed(city)
    report = build_report(user=city.analyst, period="2025H1")
    assert [(e["name"], e["count"]) for e in report["by_event"]] == [(event.name, 2)]


def test_the_top_source_city_over_three_years(report):
    top = report["top_source_cities"]
    assert top[0]["name"] == "上海市" and top[0]["count"] == 3  # P0, P1, A
    assert report["top_source_cities_window"]["start"] == "2023-01-01"
    assert report["top_source_cities_window"]["end"] == "2025-06-30"


def test_follow_through_of_the_signed_projects(report):
    follow = report["follow_through"]
    assert follow["count"] == 5
    assert follow["started_pct"] == 40.0  # A 开工, C 投产
    assert follow["fulfilled_pct"] == 60.0  # A, C, D; B registered but lost
    assert follow["producing_pct"] == 20.0  # C
    assert follow["funds_in_place_yi"] == 2.3
    assert follow["funds_in_place_pct"] == r1(Decimal(23000) * 100 / 87000)  # 26.4


def test_pipeline_by_stage_and_status(report):
    stages = {row["key"]: row["count"] for row in report["pipeline"]["by_stage"]}
    assert stages["negotiating"] == 2
    assert stages["producing"] == 1
    statuses = {row["key"]: row["count"] for row in report["pipeline"]["by_status"]}
    assert statuses["lost"] == 1


def test_conversion_of_leads_and_median_days_between_stages(city):
    def lead(entered, signed_on=None, started_on=None):
        project = factories.project(city, stage=Stage.LEAD, signed_on=None)
        StageChange.objects.filter(project=project).update(on=entered)
        if signed_on:
            StageChange.objects.create(project=project, stage=Stage.SIGNED, on=signed_on)
            project.first_signed_on = signed_on
            project.stage = Stage.SIGNED
        if started_on:
            StageChange.objects.create(project=project, stage=Stage.STARTED, on=started_on)
            project.stage = Stage.STARTED
        project.save()

    lead(date(2025, 1, 10), date(2025, 3, 1), date(2025, 5, 1))  # 50 days, then 61
    lead(date(2025, 2, 1), date(2025, 3, 3))  # 30 days
    lead(date(2024, 12, 1), date(2025, 1, 10))  # entered last year; 40 days
    lead(date(2025, 4, 1))
    report = build_report(user=city.analyst, period="2025H1")
    leads = report["pipeline"]["leads"]
    assert (leads["count"], leads["signed_count"], leads["conversion_pct"]) == (3, 2, r1("66.67"))
    medians = report["pipeline"]["median_days"]
    assert medians["lead_to_signed"] == 40.0
    assert medians["signed_to_started"] == 61.0
    assert medians["started_to_producing"] is None


def test_a_district_report_counts_its_district_only(half_year, city):
    report = build_report(user=city.analyst, period="2025H1", district=city.jingkou)
    assert (report["signed"]["count"], report["signed"]["investment_yi"]) == (2, 4.0)
    assert report["scope"]["name"] == "京口区"
    assert rows(report, "by_region_group")["粤港澳大湾区"]["count_share_pct"] == 50.0


@pytest.mark.parametrize("period", ["2024-01..2025-06", "2024-01-01..2025-06-30"])
def test_a_range_longer_than_a_year_counts_the_overlap_in_both_years(half_year, city, period):
    # 2024-01..2025-06 against 2023-01..2024-06: P1 and P2 (2024H1) are in both.
    report = build_report(user=city.analyst, period=period)
    assert (report["signed"]["count"], report["signed"]["investment_yi"]) == (7, 14.7)
    assert report["signed"]["previous"] == {"count": 3, "investment_yi": 7.0}
    assert report["in_statistics"]["previous"]["count"] == 1

"""The demo city reproduces the city newspaper's half-year report under the default definition.

The demo is built once for this module inside a transaction that is rolled back afterwards, so
that no other test sees it.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Sum

from yinli.core.models import User
from yinli.core.scoping import visible_projects
from yinli.projects.filters import ProjectFilter
from yinli.stats.report import build_report

# The module's tests read what the fixture computed; the mark makes pytest-django set up the test
# database before the module fixture writes into it.
pytestmark = pytest.mark.django_db

build = pytest.importorskip(
    "yinli.demo.build", reason="the demo generator (yinli.demo.build.build_demo) is not there yet"
)


def drilled(admin, url: str) -> tuple[int, float]:
    from urllib.parse import parse_qsl, urlsplit

    data = dict(parse_qsl(urlsplit(url).query))
    result = ProjectFilter(data, queryset=visible_projects(admin)).qs.aggregate(
        count=Count("pk"), wan=Sum("total_investment")
    )
    return result["count"], round(float(result["wan"] or 0) / 10000, 1)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"not a test database: {name}"
        build.build_demo()
        admin = User.objects.get(username="admin")
        until = settings.DEMO_REFERENCE_DATE
        h1 = build_report(user=admin, period="2025-01-01..2025-06-30")
        figures = {
            "h1": h1,
            "h1_list": drilled(admin, h1["signed"]["url"]),
            "bulletin": build_report(user=admin, period="2025H1")["bulletin"],
            "year": build_report(user=admin, period="2025"),
            "jingkai": build_report(
                user=admin, period=f"2025-01-01..{until}", district="镇江经开区"
            ),
        }
        transaction.set_rollback(True)
    cache.clear()
    return figures


def band(report, key):
    return next(row for row in report["by_size_band"] if row["key"] == key)


def test_267_projects_and_1158_8_yi_signed_in_the_half_year(demo):
    signed = demo["h1"]["signed"]
    assert (signed["count"], signed["investment_yi"]) == (267, 1158.8)
    assert signed["previous"] == {"count": 221, "investment_yi": 1094.2}


def test_up_20_8_and_5_9_percent_on_last_year(demo):
    signed = demo["h1"]["signed"]
    assert (signed["count_yoy_pct"], signed["investment_yoy_pct"]) == (20.8, 5.9)


def test_the_foreign_share_is_above_8_percent(demo):
    assert demo["h1"]["foreign"]["investment_share_pct"] > 8


def test_200_yi_newly_in_statistics_up_16_7_percent(demo):
    fai = demo["h1"]["in_statistics"]
    assert (fai["investment_yi"], fai["investment_yoy_pct"]) == (200.0, 16.7)
    assert fai["previous"]["investment_yi"] == 171.4


def test_20_projects_and_about_115_yi_from_the_greater_bay_area(demo):
    gba = next(g for g in demo["h1"]["by_region_group"] if g["name"] == "粤港澳大湾区")
    assert (gba["count"], gba["count_share_pct"]) == (20, 7.5)
    assert round(gba["investment_yi"]) == 115
    assert gba["investment_share_pct"] == 9.9


def test_shanghai_is_the_top_source_city_over_2023_to_2025(demo):
    year = demo["year"]
    assert year["top_source_cities_window"]["start"] == "2023-01-01"
    assert year["top_source_cities"][0]["code"] == "310100"


def test_the_development_zone_signed_7_above_10_yi_2_above_30_and_3_state_owned(demo):
    jingkai = demo["jingkai"]
    assert band(jingkai, "ge10")["count"] == 7
    assert band(jingkai, "ge30")["count"] == 2
    assert jingkai["state_owned"]["count"] == 3


def test_the_bulletin_reads_like_the_report(demo):
    text = demo["bulletin"]
    assert text.startswith(
        "上半年全市新签约亿元以上项目267个，总投资1158.8亿元，项目数量和投资额同比分别增长20.8%和5.9%。"
        "其中外资项目协议投资比重超过8%，新入库列统投资200亿元，同比增长16.7%。"
    )
    assert "新签约项目中来自大湾区的有20个（占比7.5%），总投资约115亿元（占全市9.9%）。" in text
    assert "近3年，上海是镇江市外项目来源最多的城市。" in text


def test_the_list_behind_the_headline_shows_267_and_1158_8(demo):
    assert demo["h1_list"] == (267, 1158.8)

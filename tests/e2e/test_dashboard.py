"""The analyst's dashboard in a real browser: change the period, click a chart, land on its projects.

Fixtures (browser, page, phone_page, login, live_server) come from tests/e2e/conftest.py.
"""

from __future__ import annotations

import re
import threading
from datetime import date
from decimal import Decimal

import pytest

from tests import factories
from tests.stats.conftest import signed
from yinli.stats.definitions import DEFAULT_NAME
from yinli.stats.models import Definition
from yinli.web.money import money

# Jingkou's projects in 2025H1: 3亿 from Shenzhen and 2亿 from Shanghai.
JINGKOU_WAN = Decimal(30000) + Decimal(20000)


@pytest.fixture
def city(transactional_db):
    # A transactional test empties the tables the migrations seeded: version 1 comes back here.
    if not Definition.objects.exists():
        Definition.objects.create(name=DEFAULT_NAME, version=1, is_current=True)
    city = factories.build_city()
    signed(city, wan="30000", source="440300", on=date(2025, 4, 1), district=city.jingkou)
    signed(city, wan="20000", source="310115", on=date(2025, 3, 12), district=city.jingkou)
    signed(city, wan="15000", source="310115", on=date(2025, 2, 10))
    signed(city, wan="50000", source="KR-SEOUL", ownership="foreign", on=date(2025, 5, 20))
    signed(city, wan="12000", source="321102", on=date(2025, 6, 1))
    signed(city, wan="40000", source="310115", on=date(2024, 2, 1))
    signed(city, wan="9000", source="310115", on=date(2025, 3, 1))  # below the threshold
    return city


@pytest.fixture(autouse=True)
def one_request_at_a_time(live_server):
    """On in-memory SQLite the live server's threads share the test's one connection (Django's
    documented limit), and the dashboard's panels ask at the same time: serve them in turn."""
    if not live_server.thread.connections_override:
        yield
        return
    httpd = live_server.thread.httpd
    app, lock = httpd.get_app(), threading.Lock()

    def in_turn(environ, start_response):
        with lock:  # the pages here are rendered whole before they are returned
            return app(environ, start_response)

    httpd.set_app(in_turn)
    yield
    httpd.set_app(app)


def wait_for_panels(page, *names):
    for name in names:
        page.wait_for_selector(f"#panel-{name}[data-loaded]")
        assert page.get_attribute(f"#panel-{name}", "data-loaded") == "1", name


def bar_spot(page, panel: str, category: str) -> dict:
    """Where on the screen the bar of `category` is drawn, through the chart instance."""
    page.locator(f"#panel-{panel} .chart").scroll_into_view_if_needed()
    return page.evaluate(
        """([panel, category]) => {
            const box = document.querySelector(`#panel-${panel} .chart`);
            const chart = echarts.getInstanceByDom(box);
            const option = chart.getOption();
            const index = option.yAxis[0].data.indexOf(category);
            const item = option.series[0].data[index];
            const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
            const rect = box.getBoundingClientRect();
            return {
                x: rect.left + bar.x + bar.width / 2,
                y: rect.top + bar.y + bar.height / 2,
                url: item.url,
                count: item.value,
            };
        }""",
        [panel, category],
    )


def test_the_analyst_changes_the_period_and_clicks_through_to_the_projects(page, login, city):
    login(page, city.analyst.username)
    page.goto("/stats/")
    assert "统计口径" in page.inner_text("#dashboard-definition")
    page.fill("#id_period", "2025H1")
    with page.expect_navigation():
        page.click("#pickers button[type=submit]")
    assert "2025年上半年" in page.inner_text("#dashboard-title")
    assert page.inner_text("#tile-signed-count .value") == "5"
    assert page.inner_text("#tile-signed-investment .value") == "12.7"
    assert "+400%" in page.inner_text("#tile-signed-count")  # 5 against 1

    wait_for_panels(page, "district", "trend", "source_map", "follow_through")
    spot = bar_spot(page, "district", "京口区")
    assert spot["count"] == 2
    with page.expect_navigation():
        page.mouse.click(spot["x"], spot["y"])
    assert "/projects/" in page.url and "stat=signed" in page.url
    assert "period=2025H1" in page.url
    totals = page.inner_text("#totals")
    assert re.search(r"(?<!\d)2(?!\d)", totals), totals
    assert money(JINGKOU_WAN, "yi") in totals, totals
    assert page.locator("table tbody tr").count() == 2
    assert page.js_errors == []
    assert page.failed_responses == []


def test_a_trend_bar_opens_the_months_projects(page, login, city):
    login(page, city.analyst.username)
    page.goto("/stats/?period=2025H1")
    wait_for_panels(page, "trend")
    page.locator("#panel-trend .chart").scroll_into_view_if_needed()
    spot = page.evaluate(
        """() => {
            const box = document.querySelector('#panel-trend .chart');
            const chart = echarts.getInstanceByDom(box);
            const option = chart.getOption();
            const index = option.xAxis[0].data.indexOf('3月');
            const item = option.series[0].data[index];
            const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
            const rect = box.getBoundingClientRect();
            return {
                x: rect.left + bar.x + bar.width / 2,
                y: rect.top + bar.y + bar.height / 2,
                count: item.value,
            };
        }"""
    )
    assert spot["count"] == 1  # 12 March, 2亿; the 9000万 one does not count
    with page.expect_navigation():
        page.mouse.click(spot["x"], spot["y"])
    assert "period=2025-03" in page.url
    assert money(Decimal(20000), "yi") in page.inner_text("#totals")


def test_the_dashboard_fits_a_phone(phone_page, login, city):
    login(phone_page, city.analyst.username)
    phone_page.goto("/stats/?period=2025H1")
    wait_for_panels(phone_page, *["district", "trend", "source_map", "pipeline", "category"])
    width, inner = phone_page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the dashboard scrolls sideways on a phone ({width}px > {inner}px)"
    assert phone_page.js_errors == []


def test_a_district_editor_sees_only_her_district(page, login, city):
    login(page, city.jingkou_editor.username)
    page.goto("/stats/?period=2025H1")
    assert "京口区" in page.inner_text("#dashboard-title")
    assert page.inner_text("#tile-signed-count .value") == "2"
    assert page.locator("select#id_district").count() == 0
    response = page.goto(f"/stats/?period=2025H1&district={city.jingkai.pk}")
    assert response is not None and response.status == 404

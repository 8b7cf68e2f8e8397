"""Field work on a phone: log a visit with the quick entry, find it flagged, turn it into a lead.

Fixtures (browser, phone_page, login, live_server) come from tests/e2e/conftest.py.
"""

from __future__ import annotations

import pytest

from tests import factories
from yinli.fieldwork.models import Outcome, Visit
from yinli.projects.models import Project, Stage


@pytest.fixture
def city(transactional_db):
    return factories.build_city()


def no_sideways_scroll(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_a_team_member_logs_a_visit_from_a_phone(phone_page, login, city):
    page = login(phone_page, city.team_member.username)
    page.goto("/fieldwork/")
    with page.expect_navigation():
        page.click("#quick-visit")
    width, viewport = no_sideways_scroll(page)
    assert width <= viewport
    page.fill("#id_company_name", "杭州手机走访储能科技有限公司")
    page.click("label[for=id_outcome_0]")  # 新线索: a big button, not a tiny radio
    page.fill("#id_place", "杭州滨江")
    page.fill("#id_purpose", "了解储能电池扩产计划")
    page.fill("#id_next_step", "邀请来镇考察")
    page.fill("#id_next_step_on", "2025-07-01")
    page.click("summary")
    page.fill("#id_visited_on", "2025-06-20")
    with page.expect_navigation():
        page.click("#save-visit")

    visit = Visit.objects.get(company_name="杭州手机走访储能科技有限公司")
    assert (visit.outcome, visit.place.code, visit.unit) == (Outcome.NEW_LEAD, "330108", city.team)
    assert page.url.endswith(f"/fieldwork/visits/{visit.pk}/")
    # The next step's date has passed: the page says so.
    assert "逾期" in page.inner_text("main")
    width, viewport = no_sideways_scroll(page)
    assert width <= viewport

    with page.expect_navigation():
        page.click("#create-lead")
    project = Project.objects.get(company__name="杭州手机走访储能科技有限公司")
    assert project.stage == Stage.LEAD and project.responsible_unit == city.team
    assert page.url.endswith(f"/projects/{project.pk}/")
    assert page.js_errors == []


def test_the_quick_entry_explains_a_missing_company(phone_page, login, city):
    page = login(phone_page, city.team_member.username)
    page.goto("/fieldwork/visits/quick/")
    with page.expect_navigation():
        page.click("#save-visit")
    assert page.locator(".field-company_name .errorlist").count() == 1
    assert not Visit.objects.exists()


def test_a_trip_draws_its_itinerary_without_a_map(page, login, city):
    from datetime import date

    from tests.fieldwork.helpers import trip

    journey = trip(city, city.team, date(2025, 6, 2), date(2025, 6, 5), ["440305", "DE-MUNICH"])
    login(page, city.jingkai_editor.username)
    page.goto(f"/fieldwork/trips/{journey.pk}/")
    page.wait_for_selector("#trip-chart canvas")
    assert "估算" in page.inner_text("#distance")
    assert page.failed_responses == [] and page.js_errors == []

"""A district editor follows a signed project in a real browser: its alert, funds and permits.

Fixtures (browser, page, phone_page, login, live_server) come from tests/e2e/conftest.py.
"""

from datetime import date

import pytest

from tests import factories
from yinli.followup.models import PermitItem, PermitStatus
from yinli.projects.models import FundsInPlace


@pytest.fixture
def city(transactional_db):
    return factories.build_city()


@pytest.fixture
def project(city):
    return factories.project(
        city, district=city.jingkou, signed_on=date(2024, 1, 10), total_wan="20000"
    )


def test_an_editor_records_funds_and_the_panel_updates(page, login, city, project):
    login(page, city.jingkou_editor.username)
    page.goto(f"/projects/{project.pk}/")
    assert "签约未注册" in page.inner_text("#follow-alerts")
    assert "—" in page.inner_text("#follow-funds") or "0.0%" in page.inner_text("#follow-funds")

    with page.expect_navigation():
        page.click("#follow-funds a")
    page.fill("#id_on", "2025-03-01")
    page.fill("#id_amount", "0.5亿")
    page.select_option("#id_source", "foreign")
    page.fill("#id_foreign_amount", "700")
    with page.expect_navigation():
        page.click("#funds-form button[type=submit]")
    assert "25.0%" in page.inner_text("#funds-pct")
    entry = FundsInPlace.objects.get(project=project)
    assert (entry.amount, entry.foreign_amount) == (5000, 700)

    page.goto(f"/projects/{project.pk}/")
    assert "25.0%" in page.inner_text("#follow-funds")
    assert page.js_errors == []


def test_an_editor_makes_the_checklist_and_settles_a_permit(page, login, city, project):
    login(page, city.jingkou_editor.username)
    page.goto(f"/followup/projects/{project.pk}/permits/")
    with page.expect_navigation():
        page.click("form[action$='/permits/create/'] button")
    items = PermitItem.objects.filter(project=project)
    assert items.count() >= 5
    first = items.first()
    with page.expect_navigation():
        page.click(f"[data-permit='{first.pk}'] a")
    page.select_option("#id_status", PermitStatus.DONE)
    page.fill("#id_done_on", "2024-03-01")
    with page.expect_navigation():
        page.click("#permit-form button[type=submit]")
    first.refresh_from_db()
    assert first.status == PermitStatus.DONE
    assert "已办结" in page.inner_text(f"[data-permit='{first.pk}']")
    assert f"1 / {items.count()}" in page.inner_text("#permit-progress")
    assert page.js_errors == []


def test_the_alert_list_fits_a_phone(phone_page, login, city, project):
    login(phone_page, city.jingkou_editor.username)
    phone_page.goto("/followup/")
    assert project.name in phone_page.inner_text(".alert-list")
    width, viewport = phone_page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= viewport

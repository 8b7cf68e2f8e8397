"""Targets in a real browser: the city sets a year's targets in the grid and reads the progress;
a district reads the ranking on a phone and opens the explanation of its own score."""

from datetime import date

import pytest

from tests import factories
from yinli.targets.models import Target
from yinli.targets.services import scheme_save


@pytest.fixture
def city(transactional_db):
    return factories.build_city()


def test_set_targets_then_read_progress_and_ranking(page, phone_page, login, city):
    for day, wan in ((date(2025, 2, 10), "15000"), (date(2025, 5, 20), "20000")):
        factories.project(city, district=city.jingkou, signed_on=day, total_wan=wan)
    scheme_save(
        name="考核办法",
        is_default=True,
        by=city.admin,
        items=[{"kind": "figure", "figure": "signed_count", "weight": "50", "cap": "1.2"}],
    )

    login(page, city.analyst.username)
    page.goto("/targets/?year=2025")
    with page.expect_navigation():
        page.click("#edit-link")
    page.fill(f"input[name='v-{city.jingkou.pk}-signed_count']", "8")
    page.fill(f"input[name='v-{city.jingkai.pk}-signed_count']", "2.5")
    with page.expect_navigation():
        page.click("#save-grid")
    assert page.is_visible(".is-invalid")  # 2.5 projects: refused, nothing saved
    assert not Target.objects.exists()
    page.fill(f"input[name='v-{city.jingkai.pk}-signed_count']", "2")
    with page.expect_navigation():
        page.click("#save-grid")
    assert Target.objects.count() == 2
    page.fill("#as_of", "2025-06-30")
    with page.expect_navigation():
        page.click("form[method=get] button[type=submit]")
    cell = page.inner_text("tr[data-unit=jingkou] [data-figure=signed_count]")
    assert cell == "时序进度50.0%，完成25.0%，落后序时25.0个百分点"

    login(phone_page, city.jingkou_editor.username)
    phone_page.goto("/targets/ranking/?period=2025H1")
    own = phone_page.locator("tr[data-district=jingkou]")
    assert "table-primary" in own.get_attribute("class")
    assert not phone_page.is_visible("#why-jingkou")
    own.locator("button").click()
    phone_page.wait_for_selector("#why-jingkou", state="visible")
    # 2 signed against 4 scheduled in the half year: 50 × 0.500 = 25.0.
    assert "50.0 × 0.500 = 25.0" in phone_page.inner_text("#why-jingkou")
    width, viewport = phone_page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= viewport

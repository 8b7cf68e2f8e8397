"""A district editor's day in a real browser: create a project, move it on, read its history.

Fixtures (browser, page, phone_page, login, live_server) come from tests/e2e/conftest.py.
"""

import re

import pytest
from django.utils import timezone

from tests import factories
from yinli.projects.models import Project, Stage


@pytest.fixture
def city(transactional_db):
    return factories.build_city()


def no_sideways_scroll(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_an_editor_creates_a_project_moves_it_on_and_sees_the_history(page, login, city):
    login(page, city.jingkai_editor.username)
    page.goto("/projects/new/")
    page.fill("#id_name", "年产2万吨高端生物基材料项目")
    page.fill("#id_company_name", "深圳测试生物材料科技有限公司")
    page.fill("#id_signing_region", "深圳")
    page.fill("#id_total_investment", "3.5亿元")
    page.select_option("#id_industry", label=city.industry.name)
    page.select_option("#id_responsible_unit", label=city.bureau.name)
    with page.expect_navigation():
        page.click("form.project-form button[type=submit]")

    project = Project.objects.get(name="年产2万吨高端生物基材料项目")
    assert project.total_investment == 35000
    assert project.signing_region.code == "440300"
    assert re.search(rf"/projects/{project.pk}/$", page.url)
    assert "3.5亿元" in page.inner_text("#money")
    assert "深圳" in page.inner_text("#investor")

    # Move it from 线索 to 洽谈 with today's date and a note.
    page.select_option("#stage-card select[name=stage]", Stage.NEGOTIATING.value)
    page.fill("#stage-card input[name=on]", timezone.localdate().isoformat())
    page.fill("#stage-card input[name=note]", "首次洽谈，已报送项目建议书")
    with page.expect_navigation():
        page.click("#stage-card button[type=submit]")

    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    assert "洽谈" in page.inner_text("#timeline")
    history = page.inner_text("#history")
    assert "阶段变更" in history
    assert "线索" in history and "洽谈" in history
    assert city.jingkai_editor.username in history
    assert page.js_errors == []


def test_a_refused_stage_explains_what_is_missing(page, login, city):
    project = factories.project(city, district=city.jingkai, stage=Stage.LEAD, signed_on=None)
    login(page, city.jingkai_editor.username)
    page.goto(f"/projects/{project.pk}/")
    page.select_option("#stage-card select[name=stage]", Stage.REGISTERED.value)
    with page.expect_navigation():
        page.click("#stage-card button[type=submit]")
    text = page.inner_text("main")
    assert "尚缺" in text
    assert "统一社会信用代码" in text
    project.refresh_from_db()
    assert project.stage == Stage.LEAD


def test_a_card_moves_on_the_board(page, login, city):
    project = factories.project(
        city, district=city.jingkai, stage=Stage.LEAD, signed_on=None, name="看板上的项目"
    )
    login(page, city.jingkai_editor.username)
    page.goto("/projects/board/")
    card = page.locator(f"#card-{project.pk}")
    assert card.locator("xpath=ancestor::section").get_attribute("data-stage") == "lead"
    card.get_by_role("link", name="推进阶段").click()
    page.wait_for_selector("#modal.show select[name=stage]")
    page.select_option("#modal select[name=stage]", Stage.NEGOTIATING.value)
    with page.expect_navigation():
        page.click("#modal button[type=submit]")
    page.wait_for_selector(f"section[data-stage=negotiating] #card-{project.pk}")
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    assert page.js_errors == []


def test_the_project_page_fits_a_phone(phone_page, login, city):
    project = factories.project(
        city,
        district=city.jingkai,
        name="年产十万吨锂电池隔膜及配套新材料产业化项目（一期、二期）",
        controller_name="某某新能源科技集团股份有限公司（香港）",
    )
    login(phone_page, city.jingkai_editor.username)
    pages = (
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/edit/",
        "/projects/",
        "/projects/board/",
        f"/companies/{project.company_id}/",
    )
    for path in pages:
        phone_page.goto(path)
        width, inner = no_sideways_scroll(phone_page)
        assert width <= inner, f"{path} scrolls sideways on a phone ({width}px > {inner}px)"
    assert phone_page.failed_responses == []

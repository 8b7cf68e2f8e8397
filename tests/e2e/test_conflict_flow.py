"""撞车 in a real browser: the warning on the form, the "same project" answer, the city's ruling
on a phone, and the bell that tells the district."""

import pytest

from tests import factories
from yinli.projects.models import Conflict, ConflictStatus, Project

SECRET = "经开区保密光学膜项目"


@pytest.fixture
def city(transactional_db):
    return factories.build_city()


def test_a_duplicate_is_warned_confirmed_ruled_and_notified(page, phone_page, login, city):
    investor = factories.company("恒远光电科技（常州）有限公司", region="320400")
    existing = factories.project(
        city, district=city.jingkai, name=SECRET, company=investor, responsible_unit=city.team
    )

    login(page, city.jingkou_editor.username)
    page.goto("/projects/new/")
    page.fill("#id_name", "光学膜二期项目")
    page.fill("#id_company_name", "恒远光电科技(常州)有限公司")
    with page.expect_navigation():
        page.click("form.project-form button[type=submit]")
    warning = page.inner_text("#duplicate-warnings")
    assert "该投资方已在镇江经开区有项目" in warning
    assert SECRET not in page.content()
    assert not Project.objects.filter(name="光学膜二期项目").exists()

    page.check("input[name=duplicate_decision][value=same]")
    page.fill("#id_duplicate_reason", "我区2024年首谈")
    with page.expect_navigation():
        page.click("form.project-form button[type=submit]")
    conflict = Conflict.objects.get()
    assert conflict.project_a == existing
    assert "撞车" in page.inner_text(".messages")

    login(phone_page, city.analyst.username)
    phone_page.goto(f"/projects/conflicts/{conflict.pk}/")
    assert SECRET in phone_page.inner_text("#side-a")
    width, viewport = phone_page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= viewport
    phone_page.check("input[name=ruling][value=keep]")
    phone_page.select_option("#id_ruling_side", "a")
    phone_page.fill("#id_ruling_reason", "经开区首报首谈在先")
    with phone_page.expect_navigation():
        phone_page.click("#ruling button[type=submit]")
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.RULED
    assert "经开区首报首谈在先" in phone_page.inner_text("#ruling")

    page.goto("/")
    assert int(page.inner_text("#notification-count")) >= 1
    page.click(".notification-bell")
    assert "裁定" in page.inner_text("#notifications")
    assert page.js_errors == [] and phone_page.js_errors == []

"""An obstacle in a real browser: a district editor raises it on the project page, resolves it
on its own page and sees the project's panel update.

Fixtures (browser, page, phone_page, login, live_server) come from tests/e2e/conftest.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from yinli.supervision.models import Department, Obstacle, ObstacleStatus


@pytest.fixture
def city(transactional_db):
    city = factories.build_city()
    city.project = factories.project(city, district=city.jingkou, name="京口智能传感器产业园项目")
    return city


def test_raises_an_obstacle_resolves_it_and_sees_the_projects_panel_update(page, login, city):
    login(page, city.jingkou_editor.username)
    page.goto(f"/projects/{city.project.pk}/")
    assert page.inner_text("#obstacles-open").strip().endswith("0")
    page.click("#raise-obstacle summary")
    page.fill("#raise_title", "厂区供电增容未落实")
    page.select_option("#raise_category", "utilities")
    page.select_option("#raise_department", label="市供电公司")
    deadline = timezone.localdate() + timedelta(days=20)
    page.fill("#raise_deadline", deadline.isoformat())
    with page.expect_navigation():
        page.click("#raise-obstacle-form button[type=submit]")

    obstacle = Obstacle.objects.get()
    assert obstacle.department == Department.objects.get(code="power")
    assert page.url.endswith(f"/projects/{city.project.pk}/")
    assert page.inner_text("#obstacles-open").strip().endswith("1")
    assert "厂区供电增容未落实" in page.inner_text("#project-obstacles")

    with page.expect_navigation():
        page.click(f"#project-obstacle-{obstacle.pk} a")
    page.fill("#progress-form textarea[name=text]", "供电公司已完成现场踏勘")
    with page.expect_navigation():
        page.click("#progress-form button[type=submit]")
    assert "供电公司已完成现场踏勘" in page.inner_text("#progress")

    # Closing without a resolution is refused, in Chinese.
    with page.expect_navigation():
        page.click("#close-form button[type=submit]")
    assert "办结" in page.inner_text(".alert-danger") or "解决" in page.inner_text(".alert-danger")
    obstacle.refresh_from_db()
    assert obstacle.status == ObstacleStatus.OPEN

    page.fill("#close-form textarea[name=resolution]", "新建10千伏专线已送电")
    with page.expect_navigation():
        page.click("#close-form button[type=submit]")
    obstacle.refresh_from_db()
    assert obstacle.status == ObstacleStatus.CLOSED
    assert "新建10千伏专线已送电" in page.inner_text("#resolution")

    with page.expect_navigation():
        page.click(f"nav .breadcrumb a[href='/projects/{city.project.pk}/']")
    panel = page.inner_text("#project-obstacles")
    assert page.inner_text("#obstacles-open").strip().endswith("0")
    assert page.inner_text("#obstacles-closed").strip().endswith("1")
    assert "厂区供电增容未落实" in panel
    assert page.js_errors == [] and page.failed_responses == []


def test_the_obstacle_list_fits_a_phone(phone_page, login, city):
    Obstacle.objects.create(
        project=city.project,
        title="用地指标不足",
        category="land",
        department=Department.objects.get(code="zrzy"),
        raised_on=timezone.localdate() - timedelta(days=30),
        deadline=timezone.localdate() - timedelta(days=1),
    )
    login(phone_page, city.jingkou_editor.username)
    phone_page.goto("/supervision/obstacles/")
    assert "用地指标不足" in phone_page.inner_text("#obstacle-table")
    width, viewport = phone_page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= viewport
    with phone_page.expect_navigation():
        phone_page.click("#obstacle-table a >> nth=0")
    assert "用地指标不足" in phone_page.inner_text("#obstacle-title")
    assert "超期" in phone_page.inner_text(".obstacle-status")
    width, viewport = phone_page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= viewport
    assert phone_page.js_errors == []

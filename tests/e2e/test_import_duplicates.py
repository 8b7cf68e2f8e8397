"""A district clerk's ledger names an investor that already has a project in another district:
the preview warns row by row, she answers "a different investment" for one row and "the same
project" for another, and the import writes both — one with its reason, one with a conflict.

Fixtures (browser, page, login, live_server) come from tests/e2e/conftest.py.
"""

import re

import pytest

from tests import factories
from tests.ledger.builders import HEADER, write_csv
from yinli.projects.models import Category, Conflict, Industry, Project


@pytest.fixture
def city(transactional_db, settings, tmp_path):
    settings.LEDGER_UPLOAD_DIR = tmp_path / "uploads"
    built = factories.build_city()
    Industry.objects.create(name="新能源及新型电力装备", category=Category.INDUSTRIAL)
    return built


def row(n):
    return [
        n,
        f"年产{n}万吨锂电池材料项目",
        f"江苏恒远新能源{n}科技有限公司",
        "",
        "上海",
        "15000",
        "新能源",
        "2025-03-12",
        "签约",
        "以商引商",
        "京口区",
    ]


def test_a_clerk_answers_each_possible_duplicate(page, login, city, tmp_path):
    investor = factories.company(name="江苏恒远新能源1科技有限公司")
    same_investor = factories.project(
        city, district=city.jingkai, company=investor, name="恒远一期项目"
    )
    same_name = factories.project(city, district=city.jingkai, name="年产2万吨锂电池材料项目")
    path = write_csv(tmp_path / "京口区台账.csv", [HEADER, row(1), row(2), row(3)], encoding="gbk")

    login(page, city.jingkou_editor.username)
    page.goto("/ledger/upload/")
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    with page.expect_navigation():
        page.click("#mapping-form button[type=submit]")

    # The preview: two rows warned, held until answered; the other district's record is not
    # shown to her, only its district, responsible unit, stage and date.
    assert "/preview/" in page.url
    cards = page.locator("#duplicates .duplicate-row")
    assert cards.count() == 2
    first = page.locator('#duplicates .duplicate-row[data-row="2"]')
    assert "该投资方已在镇江经开区有项目" in first.inner_text()
    assert "2025-03-12" in first.inner_text()
    assert same_investor.name not in first.inner_text()
    second = page.locator('#duplicates .duplicate-row[data-row="3"]')
    assert "镇江经开区已有同名项目" in second.inner_text()
    assert page.locator("#held-note").is_visible()

    # Row 2: a different investment, with the reason.
    first.locator('input[value="distinct"]').check()
    first.locator('input[name="reason"]').fill("二期新厂，另行投资")
    with page.expect_navigation():
        first.locator("button[type=submit]").first.click()
    first = page.locator('#duplicates .duplicate-row[data-row="2"]')
    assert "不同的投资" in first.locator(".decision").inner_text()

    # Row 3: the same project as the one in 经开区.
    second = page.locator('#duplicates .duplicate-row[data-row="3"]')
    second.locator('input[value="same"]').check()
    with page.expect_navigation():
        second.locator("button[type=submit]").first.click()
    second = page.locator('#duplicates .duplicate-row[data-row="3"]')
    assert "撞车" in second.locator(".decision").inner_text()
    assert page.locator("#held-note").count() == 0
    assert Project.objects.filter(district=city.jingkou).count() == 0  # nothing written yet

    with page.expect_navigation():
        page.click("#commit-form button[type=submit]")
    assert re.search(r"/ledger/imports/\d+/$", page.url)
    assert page.inner_text("#count-created") == "3"
    assert page.locator("#opened-conflicts").is_visible()
    distinct = Project.objects.get(district=city.jingkou, name="年产1万吨锂电池材料项目")
    assert (distinct.duplicate_decision, distinct.duplicate_reason) == (
        "distinct",
        "二期新厂，另行投资",
    )
    conflict = Conflict.objects.get()
    assert conflict.project_a == same_name
    assert conflict.project_b.name == "年产2万吨锂电池材料项目"
    assert conflict.project_b.district == city.jingkou
    assert page.failed_responses == [] and page.js_errors == []

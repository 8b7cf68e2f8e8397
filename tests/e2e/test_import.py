"""A district clerk imports her ledger in a real browser: uploads it, corrects one column, sees
every error, imports the valid rows, and undoes the import.

Fixtures (browser, page, login, live_server) come from tests/e2e/conftest.py.
"""

import re

import pytest

from tests import factories
from tests.ledger.builders import HEADER, write_csv
from yinli.ledger.models import BatchStatus, ImportBatch
from yinli.projects.models import Category, Industry, Project


@pytest.fixture
def city(transactional_db, settings, tmp_path):
    settings.LEDGER_UPLOAD_DIR = tmp_path / "uploads"
    built = factories.build_city()
    Industry.objects.create(name="新能源及新型电力装备", category=Category.INDUSTRIAL)
    return built


def row(n, **change):
    values = dict(
        zip(
            HEADER,
            [
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
            ],
            strict=True,
        )
    )
    values.update(change)
    return [values[h] for h in HEADER]


def ledger(tmp_path):
    header = [*HEADER, "跟进人"]
    rows = [
        [*row(1), "周八"],
        [*row(2, **{"总投资(万元)": "很多"}), "吴九"],
        [*row(3), "郑十"],
        [*row(4, **{"项目进度": "搁置中"}), "王五"],
    ]
    return write_csv(tmp_path / "京口区台账.csv", [header, *rows], encoding="gbk")


def test_a_clerk_imports_her_ledger_and_undoes_it(page, login, city, tmp_path):
    login(page, city.jingkou_editor.username)
    page.goto("/")
    page.click("nav >> text=项目")  # the 项目 menu
    with page.expect_navigation():
        page.click("nav >> text=导入导出")
    with page.expect_navigation():
        page.click("#start-import")

    # 1. Upload: her own district is chosen already.
    assert page.locator("#id_district option").count() == 1
    page.set_input_files("#id_file", str(ledger(tmp_path)))
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")

    # 2. The columns: 跟进人 is not a name Yinli knows; she says it is the responsible person.
    assert "/mapping/" in page.url
    mapping_row = page.locator("tr", has_text="跟进人")
    assert mapping_row.locator("select").input_value() == ""
    assert "周八" in mapping_row.inner_text()  # the sample values
    mapping_row.locator("select").select_option("responsible_person")
    with page.expect_navigation():
        page.click("#mapping-form button[type=submit]")

    # 3. The preview: two rows to create, and both bad rows with their row numbers.
    assert "/preview/" in page.url
    assert page.inner_text("#count-create") == "2"
    assert page.inner_text("#count-error") == "2"
    problems = page.locator("#problems tr.problem")
    assert problems.count() == 2
    assert problems.nth(0).get_attribute("data-row") == "3"
    assert "很多" in problems.nth(0).inner_text()
    assert problems.nth(1).get_attribute("data-row") == "5"
    assert "搁置中" in problems.nth(1).inner_text()
    assert Project.objects.count() == 0

    # 4. Commit the valid rows.
    page.check("#id_skip_invalid")
    with page.expect_navigation():
        page.click("#commit-form button[type=submit]")
    assert re.search(r"/ledger/imports/\d+/$", page.url)
    assert page.inner_text("#count-created") == "2"
    assert page.locator("#problems tr.problem").count() == 2
    projects = Project.objects.order_by("name")
    assert [p.responsible_person for p in projects] == ["周八", "郑十"]
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.PARTIAL

    # 5. Undo it, after the confirmation.
    page.click("#undo-link")
    with page.expect_navigation():
        page.click("#undo-form button[type=submit]")
    assert "已撤销" in page.inner_text("#batch-status")
    assert Project.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UNDONE
    assert page.failed_responses == [] and page.js_errors == []


def test_the_history_is_readable_on_a_phone(phone_page, login, city, tmp_path):
    page = login(phone_page, city.jingkou_editor.username)
    page.goto("/ledger/upload/")
    page.set_input_files("#id_file", str(ledger(tmp_path)))
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    with page.expect_navigation():
        page.click("#mapping-form button[type=submit]")
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport + 1  # the wide tables scroll inside their own box
    assert page.locator("#problems tr.problem").count() == 2


def test_a_large_file_shows_its_progress_then_the_result(page, login, city, tmp_path, settings):
    settings.LEDGER_INLINE_ROWS = 2  # every file here counts as large: it runs in the background
    login(page, city.jingkou_editor.username)
    page.goto("/ledger/upload/")
    rows = [row(n) for n in range(1, 6)]
    page.set_input_files(
        "#id_file", str(write_csv(tmp_path / "大台账.csv", [HEADER, *rows], encoding="gbk"))
    )
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    with page.expect_navigation():
        page.click("#mapping-form button[type=submit]")
    # The preview is worked out in the background: a progress bar polls, then the preview shows.
    assert page.locator("#job-progress .progress").count() == 1
    page.wait_for_selector("#count-create")
    assert page.inner_text("#count-create") == "5"
    page.click("#commit-form button[type=submit]")
    page.wait_for_url(re.compile(r"/ledger/imports/\d+/$"))
    assert page.inner_text("#count-created") == "5"
    assert Project.objects.count() == 5
    assert page.js_errors == []

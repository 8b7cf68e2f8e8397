"""The monthly report in a real browser: the district submits, the city returns it with a
comment on a project, the district corrects the project and submits again, the city accepts
and the month is locked."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from yinli.reporting.models import Report, ReportState

PERIOD = "/reporting/2025-03/jingkou/"


@pytest.fixture
def analyst_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_submit_return_correct_accept(page, analyst_page, login):
    city = factories.build_city()
    project = factories.project(
        city, district=city.jingkou, name="年产十万吨电池隔膜项目", signed_on=date(2025, 3, 5)
    )

    # The district submits.
    login(page, city.jingkou_editor.username)
    page.goto(PERIOD)
    assert page.locator("#report-state").inner_text().strip() == "未报送"
    with page.expect_navigation():
        page.click("#submit-report")
    assert page.locator("#report-state").inner_text().strip() == "已报送，待审核"

    # The city returns it with a comment on the project.
    login(analyst_page, city.analyst.username)
    analyst_page.goto("/reporting/?period=2025-03")
    with analyst_page.expect_navigation():
        analyst_page.click("#period-states a:has-text('京口区')")
    analyst_page.fill("#id_comment", "请核实投资额")
    analyst_page.fill(f"input[name=comment_{project.pk}]", "总投资与协议不符")
    with analyst_page.expect_navigation():
        analyst_page.click("#return-report")
    assert analyst_page.locator("#report-state").inner_text().strip() == "已退回修改"

    # The district sees the comments, corrects the project, submits again.
    page.goto(PERIOD)
    assert "总投资与协议不符" in page.locator(f"tr[data-project='{project.pk}']").inner_text()
    assert "请核实投资额" in page.locator("#return-comment").inner_text()
    page.goto(f"/projects/{project.pk}/edit/")
    page.fill("#id_total_investment", "18000")
    with page.expect_navigation():
        page.click("form button[type=submit]:visible >> nth=-1")
    project.refresh_from_db()
    assert project.total_investment == 18000
    page.goto(PERIOD)
    with page.expect_navigation():
        page.click("#submit-report")
    assert page.locator("#report-state").inner_text().strip() == "已报送，待审核"

    # The city accepts: the month is locked; the log shows every step.
    analyst_page.goto(PERIOD)
    with analyst_page.expect_navigation():
        analyst_page.click("#accept-report")
    assert analyst_page.locator("#locked-notice").is_visible()
    actions = analyst_page.locator("#report-log tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.action)"
    )
    assert actions == ["submit", "return", "submit", "accept"]
    report = Report.objects.get(district=city.jingkou, period__code="2025-03")
    assert report.state == ReportState.ACCEPTED
    assert report.snapshot[str(project.pk)]["total_investment"] == "18000"
    assert not page.js_errors

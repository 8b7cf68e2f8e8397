"""Targets in a real browser: a team member on a phone ranks a node's targets, saves two as her
team's list, and turns one into a lead."""

from __future__ import annotations

from decimal import Decimal

from tests import factories
from yinli.chains.models import ChainNode, CompanyNode, Relationship, TargetList


def test_a_team_member_saves_a_target_list_and_makes_a_lead(phone_page, login):
    city = factories.build_city()
    node = ChainNode.objects.get(chain__name="光伏", name="电池片")
    for name, region, score in [
        ("上海晶能电池片有限公司", "310115", "2"),
        ("苏州光电池片科技有限公司", "320505", "1"),
        ("乌鲁木齐电池片有限公司", "650102", "1"),
    ]:
        company = factories.company(name, region=region)
        CompanyNode.objects.create(company=company, node=node, score=Decimal(score))
    local = factories.company("镇江本地光伏组件有限公司", region="321102")
    suzhou = CompanyNode.objects.get(company__name="苏州光电池片科技有限公司").company
    Relationship.objects.create(company=suzhou, other=local, kind="supplier")

    page = login(phone_page, city.team_member.username)
    page.goto(f"/chains/nodes/{node.pk}/")
    with page.expect_navigation():
        page.click("a.nav-link:has-text('招商目标')")
    rows = page.locator("#targets > tbody > tr")
    assert rows.nth(0).get_attribute("data-company") == "苏州光电池片科技有限公司"  # 以商引商
    assert rows.nth(2).get_attribute("data-company") == "乌鲁木齐电池片有限公司"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the targets page scrolls sideways on a phone ({width}px)"

    rows.nth(0).locator("summary").click()
    assert "镇江本地光伏组件有限公司" in rows.nth(0).locator("table.explain").inner_text()
    rows.nth(0).locator("input[name=company]").check()
    rows.nth(1).locator("input[name=company]").check()
    page.fill("#id_name", "电池片第一批")
    with page.expect_navigation():
        page.click("#save-list")
    saved = TargetList.objects.get(name="电池片第一批")
    assert saved.team == city.team and saved.items.count() == 2
    assert "电池片第一批" in page.locator("h1").inner_text()

    row = page.locator("#list-rows tr[data-company='上海晶能电池片有限公司']")
    with page.expect_navigation():
        row.locator("text=转为线索").click()
    item = saved.items.get(company__name="上海晶能电池片有限公司")
    assert item.project is not None and item.project.responsible_unit == city.team
    row = page.locator("#list-rows tr[data-company='上海晶能电池片有限公司']")
    assert item.project.name in row.locator("td.project").inner_text()
    assert "已转项目 1" in page.locator("#list-summary").inner_text()
    assert page.failed_responses == [] and page.js_errors == []

"""The chain map in a real browser: an analyst on a phone finds a gap, reviews a company, and adds
a proposed keyword; a district editor reads the map without the editing controls."""

from __future__ import annotations

from tests import factories
from yinli.chains.models import ChainNode, CompanyNode, Decision
from yinli.chains.services import confirm_placement


def test_an_analyst_reviews_a_node_and_adds_a_proposed_keyword(phone_page, login):
    city = factories.build_city()
    node = ChainNode.objects.get(chain__name="光伏", name="电池片")
    for n in range(3):
        company = factories.company(
            f"镇江光能{n}有限公司",
            region="321102",
            business_scope="钙钛矿叠层电池片研发；电池片制造",
        )
        confirm_placement(company=company, node=node, by=city.analyst)
    pending = factories.company("镇江待审光伏有限公司", region="321102", business_scope="电池片")
    CompanyNode.objects.create(company=pending, node=node, score=1, matched=["电池片"])

    page = login(phone_page, city.analyst.username)
    page.goto("/chains/")
    with page.expect_navigation():
        page.click("text=光伏")
    card = page.locator("[data-node='电池片']")
    assert "具备" in card.inner_text()  # 4 local companies: present, not strong
    assert (
        page.locator("[data-node='硅棒与硅片'] [data-strength='missing']").inner_text() == "✕ 缺失"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the chain map scrolls sideways on a phone ({width}px)"

    card.click()
    row = page.locator("tr[data-company='镇江待审光伏有限公司']")
    with page.expect_navigation():
        row.locator("text=不属于本环节").click()
    assert CompanyNode.objects.get(company=pending).decision == Decision.REJECTED

    page.click("text=推荐关键词")
    page.wait_for_selector("#proposals input[name=word]")
    words = page.locator("#proposals input[name=word]").evaluate_all("els => els.map(e => e.value)")
    chosen = next(w for w in words if "钙钛矿" in w)
    page.check(f"#proposals input[value='{chosen}']")
    with page.expect_navigation():
        page.click("text=将选中的词加为关键词")
    assert chosen in ChainNode.objects.get(pk=node.pk).keyword_list
    assert page.failed_responses == [] and page.js_errors == []


def test_a_district_editor_reads_the_map_without_editing(page, login):
    city = factories.build_city()
    page = login(page, city.jingkou_editor.username)
    page.goto("/chains/")
    with page.expect_navigation():
        page.click("text=动力电池与储能")
    assert page.locator("[data-strength]").count() >= 15
    assert page.locator("text=编辑产业链").count() == 0
    assert page.locator("text=新建环节").count() == 0

"""Chain pages: everyone signed in reads, city roles edit; projects through the scoping helper."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from yinli.chains.models import ChainNode, CompanyNode, Decision

pytestmark = pytest.mark.django_db


def test_the_index_lists_the_chains_with_counts(city, as_user, test_chain):
    page = as_user(city.jingkou_editor).get(reverse("chains:index"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "测试储能链" in text and "光伏" in text


@pytest.mark.parametrize(
    "persona", ["admin", "analyst", "jingkou_editor", "team_member", "outsider"]
)
def test_every_persona_reads_the_chain_map(city, as_user, test_chain, persona):
    page = as_user(getattr(city, persona)).get(reverse("chains:detail", args=[test_chain.chain.pk]))
    assert page.status_code == 200
    assert 'data-strength="missing"' in page.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, test_chain):
    page = client.get(reverse("chains:detail", args=[test_chain.chain.pk]))
    assert page.status_code == 302


def test_a_missing_node_is_labelled_not_only_coloured(city, as_user, test_chain):
    text = (
        as_user(city.admin)
        .get(reverse("chains:detail", args=[test_chain.chain.pk]))
        .content.decode()
    )
    assert "border-danger" in text
    assert "✕ 缺失" in text or "✕ Missing" in text


def test_a_guessed_node_url_is_404(city, as_user):
    assert as_user(city.admin).get(reverse("chains:node", args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", ["jingkou_editor", "team_member", "outsider"])
def test_districts_may_not_edit_chains(city, as_user, test_chain, persona):
    client = as_user(getattr(city, persona))
    assert client.get(reverse("chains:node_edit", args=[test_chain.pcs.pk])).status_code == 403
    response = client.post(
        reverse("chains:node_edit", args=[test_chain.pcs.pk]),
        {"name": "改名", "segment": "midstream", "keywords": "甲", "sort_order": 0, "version": 1},
    )
    assert response.status_code == 403
    assert ChainNode.objects.get(pk=test_chain.pcs.pk).name == "变流器"


def test_an_analyst_edits_a_node_and_its_keywords(city, as_user, test_chain):
    response = as_user(city.analyst).post(
        reverse("chains:node_edit", args=[test_chain.pcs.pk]),
        {
            "name": "储能变流器",
            "segment": "midstream",
            "keywords": "储能变流器\nPCS",
            "exclude_words": "车载",
            "industry_codes": "38",
            "sort_order": 3,
            "version": 1,
        },
    )
    assert response.status_code == 302
    node = ChainNode.objects.get(pk=test_chain.pcs.pk)
    assert (node.name, node.keyword_list, node.exclude_list, node.code_list) == (
        "储能变流器",
        ["储能变流器", "PCS"],
        ["车载"],
        ["38"],
    )


def test_a_bad_code_is_shown_on_the_form(city, as_user, test_chain):
    response = as_user(city.analyst).post(
        reverse("chains:node_edit", args=[test_chain.pcs.pk]),
        {
            "name": "变流器",
            "segment": "midstream",
            "keywords": "甲",
            "industry_codes": "9X9",
            "sort_order": 3,
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert "9X9" in response.content.decode()


def test_an_analyst_creates_a_chain(city, as_user):
    response = as_user(city.analyst).post(
        reverse("chains:create"),
        {"name": "集成电路", "description": "", "industries": "", "sort_order": 9},
    )
    assert response.status_code == 302


def test_the_node_page_lists_local_companies_and_visible_projects(city, as_user, test_chain):
    here = factories.company("镇江储能变流器有限公司", region="321102")
    CompanyNode.objects.create(company=here, node=test_chain.pcs, score=2, matched=["储能变流器"])
    investor = factories.company("深圳变流器有限公司", region="440300")
    CompanyNode.objects.create(company=investor, node=test_chain.pcs, score=1)
    factories.project(city, company=investor, name="经开区变流器项目", district=city.jingkai)
    url = reverse("chains:node", args=[test_chain.pcs.pk])
    admin_text = as_user(city.admin).get(url).content.decode()
    assert "镇江储能变流器有限公司" in admin_text and "经开区变流器项目" in admin_text
    assert "深圳变流器有限公司</a>" not in admin_text  # not local: counted, not listed
    jingkou_text = as_user(city.jingkou_editor).get(url).content.decode()
    assert "镇江储能变流器有限公司" in jingkou_text
    assert "经开区变流器项目" not in jingkou_text


def test_an_analyst_overrides_a_placement_and_a_district_may_not(city, as_user, test_chain):
    here = factories.company("镇江储能变流器有限公司", region="321102")
    CompanyNode.objects.create(company=here, node=test_chain.pcs, score=1)
    url = reverse("chains:decide", args=[test_chain.pcs.pk, here.pk, "override"])
    assert as_user(city.jingkou_editor).post(url).status_code == 403
    assert as_user(city.analyst).post(url).status_code == 302
    assert CompanyNode.objects.get(company=here).decision == Decision.REJECTED


def test_an_analyst_adds_a_company_by_name(city, as_user, test_chain):
    company = factories.company("镇江手工添加有限公司", region="321102")
    as_user(city.analyst).post(
        reverse("chains:node_add_company", args=[test_chain.charging.pk]), {"company": company.name}
    )
    row = CompanyNode.objects.get(company=company, node=test_chain.charging)
    assert (row.source, row.decision) == ("manual", Decision.CONFIRMED)


def test_the_propose_button_returns_words_to_add(city, as_user, test_chain):
    from yinli.chains import services

    for n in range(3):
        company = factories.company(
            f"钠电{n}有限公司", business_scope="钠离子电池制造；储能电芯销售"
        )
        services.confirm_placement(company=company, node=test_chain.cells, by=city.analyst)
    client = as_user(city.analyst)
    fragment = client.post(
        reverse("chains:node_propose", args=[test_chain.cells.pk])
    ).content.decode()
    assert 'value="钠离子电池"' in fragment or 'value="钠离子"' in fragment
    word = "钠离子电池" if 'value="钠离子电池"' in fragment else "钠离子"
    client.post(
        reverse("chains:node_add_keywords", args=[test_chain.cells.pk]),
        {"word": [word], "version": 1},
    )
    assert word in ChainNode.objects.get(pk=test_chain.cells.pk).keyword_list
    assert (
        as_user(city.jingkou_editor)
        .post(reverse("chains:node_propose", args=[test_chain.cells.pk]))
        .status_code
        == 403
    )


def test_the_home_page_shows_the_chain_gaps(city, as_user, test_chain):
    text = as_user(city.jingkou_editor).get("/").content.decode()
    assert 'id="chain-gaps-panel"' in text
    assert "测试储能链" in text


def test_an_analyst_deletes_a_node_and_it_leaves_the_map(city, as_user, test_chain):
    url = reverse("chains:node_delete", args=[test_chain.charging.pk])
    assert as_user(city.jingkou_editor).post(url, {"version": 1}).status_code == 403
    assert as_user(city.analyst).post(url, {"version": 1}).status_code == 302
    assert not ChainNode.objects.filter(pk=test_chain.charging.pk).exists()
    assert ChainNode.all_objects.get(pk=test_chain.charging.pk).deleted_at is not None
    text = (
        as_user(city.analyst)
        .get(reverse("chains:detail", args=[test_chain.chain.pk]))
        .content.decode()
    )
    assert 'data-node="充电服务"' not in text


def test_a_node_with_children_is_not_deleted(city, as_user, test_chain):
    from tests.chains.conftest import node

    child = node(test_chain.chain, "子环节", "downstream", "子")
    child.parent = test_chain.charging
    child.save()
    as_user(city.analyst).post(
        reverse("chains:node_delete", args=[test_chain.charging.pk]), {"version": 1}
    )
    assert ChainNode.objects.filter(pk=test_chain.charging.pk).exists()

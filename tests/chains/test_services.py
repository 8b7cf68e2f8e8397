"""Batch classification, manual decisions that later runs respect, editing rules, proposals."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from yinli.chains import services
from yinli.chains.models import CompanyNode, Decision, Source
from yinli.core.services import PermissionDeniedError, StaleWriteError

pytestmark = pytest.mark.django_db


def placements(company, chain):
    return dict(
        CompanyNode.objects.filter(company=company, node__chain=chain).values_list(
            "node__name", "decision"
        )
    )


def test_classification_stores_score_and_matched_words(test_chain):
    company = factories.company(
        "恒远储能科技有限公司", business_scope="磷酸铁锂电芯、储能变流器制造"
    )
    counts = services.classify_companies(chain=test_chain.chain)
    row = CompanyNode.objects.get(company=company, node=test_chain.cells)
    assert (row.score, row.matched, row.source) == (1, ["磷酸铁锂电芯"], Source.AUTO)
    assert set(placements(company, test_chain.chain)) == {"储能电芯", "变流器"}
    assert counts["placed_companies"] >= 1


def test_a_bank_gets_no_placement(test_chain):
    bank = factories.company("镇江示范银行股份有限公司", business_scope="吸收公众存款；发放贷款")
    services.classify_companies()
    assert not CompanyNode.objects.filter(company=bank).exists()


def test_classification_runs_in_chunks_and_reports_progress(test_chain):
    for n in range(5):
        factories.company(f"储能{n}号有限公司", business_scope="储能电芯生产")
    seen = []
    counts = services.classify_companies(chain=test_chain.chain, chunk_size=2, progress=seen.append)
    assert seen == [2, 2, 1]
    assert counts["companies"] == 5
    assert CompanyNode.objects.filter(node=test_chain.cells).count() == 5


def test_a_changed_scope_moves_an_unreviewed_company(test_chain):
    company = factories.company(business_scope="储能电芯生产")
    services.classify_companies(chain=test_chain.chain)
    company.business_scope = "充电站运营"
    company.save()
    services.classify_companies(chain=test_chain.chain)
    assert placements(company, test_chain.chain) == {"充电服务": ""}


def test_an_override_survives_reclassification(city, test_chain):
    company = factories.company(business_scope="储能电芯生产")
    services.classify_companies(chain=test_chain.chain)
    services.override_placement(company=company, node=test_chain.cells, by=city.analyst)
    services.classify_companies(chain=test_chain.chain)
    services.classify_companies()
    assert placements(company, test_chain.chain) == {"储能电芯": Decision.REJECTED}


def test_a_confirmation_survives_a_scope_that_no_longer_matches(city, test_chain):
    company = factories.company(business_scope="储能电芯生产")
    services.classify_companies(chain=test_chain.chain)
    services.confirm_placement(company=company, node=test_chain.cells, by=city.analyst)
    company.business_scope = "充电站运营"
    company.save()
    services.classify_companies(chain=test_chain.chain)
    assert placements(company, test_chain.chain) == {
        "储能电芯": Decision.CONFIRMED,
        "充电服务": "",
    }


def test_a_company_added_by_hand_stays_and_undo_removes_it(city, test_chain):
    company = factories.company(business_scope="软件开发")
    services.confirm_placement(company=company, node=test_chain.pcs, by=city.admin)
    services.classify_companies(chain=test_chain.chain)
    row = CompanyNode.objects.get(company=company, node=test_chain.pcs)
    assert (row.source, row.decision, row.decided_by) == (
        Source.MANUAL,
        Decision.CONFIRMED,
        city.admin,
    )
    services.clear_decision(company=company, node=test_chain.pcs, by=city.admin)
    assert not CompanyNode.objects.filter(company=company).exists()


def test_a_district_editor_may_not_review_placements(city, test_chain):
    company = factories.company(business_scope="储能电芯生产")
    with pytest.raises(PermissionDeniedError):
        services.confirm_placement(company=company, node=test_chain.cells, by=city.jingkou_editor)
    with pytest.raises(PermissionDeniedError):
        services.override_placement(company=company, node=test_chain.cells, by=city.team_member)


def test_an_analyst_edits_a_nodes_keyword_list(city, test_chain):
    node = test_chain.pcs
    node.keywords = "储能变流器、PCS，双向变流器\n储能变流器"
    services.save_node(node=node, by=city.analyst, expected_version=1)
    node.refresh_from_db()
    assert node.keyword_list == ["储能变流器", "PCS", "双向变流器"]
    assert node.version == 2
    assert node.history.first().history_user == city.analyst


def test_a_stale_node_edit_is_refused(city, test_chain):
    node = test_chain.pcs
    node.keywords = "甲"
    services.save_node(node=node, by=city.analyst, expected_version=1)
    node.keywords = "乙"
    with pytest.raises(StaleWriteError):
        services.save_node(node=node, by=city.admin, expected_version=1)


def test_an_unknown_industry_code_is_named(city, test_chain):
    node = test_chain.pcs
    node.industry_codes = "3825 9999"
    with pytest.raises(ValidationError) as error:
        services.save_node(node=node, by=city.analyst)
    assert "9999" in error.value.message_dict["industry_codes"][0]
    assert "3825" not in error.value.message_dict["industry_codes"][0]


def test_a_district_editor_may_not_edit_a_node(city, test_chain):
    with pytest.raises(PermissionDeniedError):
        services.save_node(node=test_chain.pcs, by=city.jingkai_editor)


def test_keyword_proposals_come_from_confirmed_scopes_without_boilerplate(city, test_chain):
    scopes = [
        "一般项目：储能电芯、钠离子电池研发；技术服务、技术开发、技术咨询、技术交流、技术转让、"
        "技术推广（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
        "许可项目：储能电芯生产；钠离子电池销售；固态电解质研发（依法须经批准的项目，经相关部门批准"
        "后方可开展经营活动）",
        "钠离子电池制造；固态电解质销售；货物进出口",
    ]
    for n, scope in enumerate(scopes):
        company = factories.company(f"钠电{n}有限公司", business_scope=scope)
        services.confirm_placement(company=company, node=test_chain.cells, by=city.analyst)
    unconfirmed = factories.company("无关有限公司", business_scope="钙钛矿组件；钙钛矿组件")
    services.classify_companies(chain=test_chain.chain)
    CompanyNode.objects.get_or_create(company=unconfirmed, node=test_chain.cells)
    words = [p["word"] for p in services.propose_keywords(node=test_chain.cells)]
    assert "钠离子" in words or "钠离子电池" in words
    assert "电解质" in words or "固态电解质" in words
    assert "储能电芯" not in words  # a keyword already
    for boilerplate in (
        "技术服务",
        "技术推广",
        "一般项目",
        "许可项目",
        "批准",
        "经营活动",
        "钙钛矿",
    ):
        assert boilerplate not in words


def test_merging_two_companies_on_the_same_node_keeps_both_placements_reversibly(city, test_chain):
    from yinli.companies.merge import company_merge, company_unmerge

    kept = factories.company("恒远储能科技有限公司", business_scope="储能电芯生产")
    merged = factories.company("恒远储能科技（镇江）有限公司", business_scope="储能电芯生产")
    services.classify_companies(chain=test_chain.chain)
    services.confirm_placement(company=merged, node=test_chain.cells, by=city.analyst)
    record = company_merge(kept=kept, merged=merged, by=city.analyst)
    assert CompanyNode.objects.filter(company=kept, node=test_chain.cells).count() == 2
    services.classify_companies(chain=test_chain.chain)  # the merged company is left out
    assert placements(kept, test_chain.chain) == {"储能电芯": Decision.CONFIRMED}
    company_unmerge(record=record, by=city.analyst)
    assert placements(merged, test_chain.chain) == {"储能电芯": Decision.CONFIRMED}

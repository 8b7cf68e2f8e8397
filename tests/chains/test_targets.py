"""Targets of a node: each score part moves the rank as the rule says; ties raise a target."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests import factories
from yinli.chains import targets
from yinli.chains.models import ChainNode, CompanyNode, Decision, Relationship

pytestmark = pytest.mark.django_db

TODAY = date(2025, 8, 10)
ZHENJIANG_JINGKOU = "321102"
SHANGHAI_PUDONG = "310115"
BEIJING_CHAOYANG = "110105"
JINAN_LIXIA = "370102"
URUMQI_TIANSHAN = "650102"


def target(name, region=SHANGHAI_PUDONG, node=None, score="1", **extra):
    company = factories.company(name, region=region, **extra)
    if node is not None:
        CompanyNode.objects.create(company=company, node=node, score=Decimal(score))
    return company


def ranking(node, **kwargs):
    return targets.rank_targets(node=node, today=TODAY, **kwargs)


def names(node, **kwargs):
    return [t.company.name for t in ranking(node, **kwargs)]


def parts_of(node, name):
    return next(t for t in ranking(node) if t.company.name == name).parts


def test_a_higher_classification_score_ranks_first(test_chain):
    target("甲储能科技有限公司", node=test_chain.cells, score="1")
    target("乙储能科技有限公司", node=test_chain.cells, score="2")
    assert names(test_chain.cells) == ["乙储能科技有限公司", "甲储能科技有限公司"]
    assert parts_of(test_chain.cells, "乙储能科技有限公司")["fit"] == Decimal("20.0")
    assert parts_of(test_chain.cells, "甲储能科技有限公司")["fit"] == Decimal("10.0")


def test_fit_is_capped(test_chain):
    target("满分储能科技有限公司", node=test_chain.cells, score="7")
    assert parts_of(test_chain.cells, "满分储能科技有限公司")["fit"] == Decimal("30.0")


def test_registered_capital_counts_on_a_log_scale(test_chain):
    target("小资本储能有限公司", node=test_chain.cells, registered_capital=Decimal("100"))
    target("大资本储能有限公司", node=test_chain.cells, registered_capital=Decimal("10000"))
    assert names(test_chain.cells)[0] == "大资本储能有限公司"
    # 3 × log10(1 + 10000) = 12.0; 3 × log10(101) = 6.0
    assert parts_of(test_chain.cells, "大资本储能有限公司")["capital"] == Decimal("12.0")
    assert parts_of(test_chain.cells, "小资本储能有限公司")["capital"] == Decimal("6.0")


def test_insured_staff_counts_on_a_log_scale(test_chain):
    target("十人储能有限公司", node=test_chain.cells, insured_staff=9)
    target("千人储能有限公司", node=test_chain.cells, insured_staff=999)
    assert names(test_chain.cells)[0] == "千人储能有限公司"
    assert parts_of(test_chain.cells, "千人储能有限公司")["staff"] == Decimal("7.5")
    assert parts_of(test_chain.cells, "十人储能有限公司")["staff"] == Decimal("2.5")


def test_the_preferred_region_group_comes_first(test_chain):
    target("上海储能有限公司", region=SHANGHAI_PUDONG, node=test_chain.cells)
    target("北京储能有限公司", region=BEIJING_CHAOYANG, node=test_chain.cells)
    assert names(test_chain.cells)[0] == "上海储能有限公司"
    assert parts_of(test_chain.cells, "上海储能有限公司")["region_group"] == Decimal("20.0")
    assert parts_of(test_chain.cells, "北京储能有限公司")["region_group"] == Decimal("0.0")


def test_the_preferred_region_group_is_a_setting(test_chain, settings):
    settings.CHAINS_TARGET_REGION_GROUPS = "京津冀"
    target("上海储能有限公司", region=SHANGHAI_PUDONG, node=test_chain.cells)
    target("北京储能有限公司", region=BEIJING_CHAOYANG, node=test_chain.cells)
    assert names(test_chain.cells)[0] == "北京储能有限公司"
    assert parts_of(test_chain.cells, "北京储能有限公司")["region_group"] == Decimal("20.0")


def test_a_nearer_company_ranks_before_a_farther_one(test_chain):
    target("乌鲁木齐储能有限公司", region=URUMQI_TIANSHAN, node=test_chain.cells)
    target("济南储能有限公司", region=JINAN_LIXIA, node=test_chain.cells)
    assert names(test_chain.cells) == ["济南储能有限公司", "乌鲁木齐储能有限公司"]
    near = parts_of(test_chain.cells, "济南储能有限公司")["distance"]
    assert Decimal("5") < near < Decimal("10")  # about 600 km
    assert parts_of(test_chain.cells, "乌鲁木齐储能有限公司")["distance"] == Decimal("0.0")


def test_an_older_company_ranks_before_a_new_one(test_chain):
    target("新设储能有限公司", node=test_chain.cells, established_on=date(2025, 1, 1))
    target("老牌储能有限公司", node=test_chain.cells, established_on=date(2012, 5, 1))
    target("中年储能有限公司", node=test_chain.cells, established_on=date(2019, 5, 1))
    assert names(test_chain.cells) == ["老牌储能有限公司", "中年储能有限公司", "新设储能有限公司"]
    assert [t.parts["age"] for t in ranking(test_chain.cells)] == [
        Decimal("10.0"),
        Decimal("7.0"),
        Decimal("0.0"),
    ]


def test_growth_is_not_scored_and_the_explain_says_why(test_chain):
    target("某储能有限公司", node=test_chain.cells)
    found = ranking(test_chain.cells)[0]
    growth = next(p for p in found.explain() if p["key"] == "growth")
    assert growth["points"] == Decimal("0.0")
    assert "不计分" in growth["detail"]


def test_a_relationship_with_a_local_company_raises_a_target(test_chain):
    strong = target("强势储能有限公司", node=test_chain.cells, score="2")
    tied = target("关联储能有限公司", node=test_chain.cells, score="1")
    assert names(test_chain.cells)[0] == strong.name
    local = factories.company("镇江本地电池有限公司", region=ZHENJIANG_JINGKOU)
    Relationship.objects.create(company=tied, other=local, kind="supplier")
    found = ranking(test_chain.cells)
    assert found[0].company == tied
    assert found[0].parts["ties"] == Decimal("15.0")
    assert found[0].ties[0]["name"] == "镇江本地电池有限公司"
    assert found[1].parts["ties"] == Decimal("0.0")


def test_more_ties_raise_a_target_further_up_to_the_cap(test_chain):
    tied = target("多方关联储能有限公司", node=test_chain.cells)
    for n in range(4):
        local = factories.company(f"镇江配套{n}有限公司", region=ZHENJIANG_JINGKOU)
        # Either side of the link counts.
        if n % 2:
            Relationship.objects.create(company=tied, other=local, kind="customer")
        else:
            Relationship.objects.create(company=local, other=tied, kind="shareholder")
        expected = min(Decimal("25"), Decimal("15") + 5 * n)
        assert parts_of(test_chain.cells, tied.name)["ties"] == expected


def test_a_tie_to_a_company_elsewhere_does_not_count(test_chain):
    tied = target("外地关联储能有限公司", node=test_chain.cells)
    other = factories.company("苏州某公司", region="320505")
    Relationship.objects.create(company=tied, other=other, kind="partner")
    assert parts_of(test_chain.cells, tied.name)["ties"] == Decimal("0.0")


def test_a_deleted_relationship_does_not_count(test_chain):
    tied = target("曾经关联储能有限公司", node=test_chain.cells)
    local = factories.company("镇江本地某公司", region=ZHENJIANG_JINGKOU)
    rel = Relationship.objects.create(company=tied, other=local, kind="partner")
    rel.deleted_at = rel.created_at
    rel.save()
    assert parts_of(test_chain.cells, tied.name)["ties"] == Decimal("0.0")


def test_the_score_is_the_sum_of_its_parts(test_chain):
    target(
        "全面储能有限公司",
        node=test_chain.cells,
        score="1.5",
        registered_capital=Decimal("5000"),
        insured_staff=200,
        established_on=date(2016, 1, 1),
    )
    found = ranking(test_chain.cells)[0]
    assert found.score == sum(found.parts.values())
    assert [p["key"] for p in found.explain()] == targets.PARTS


def test_local_rejected_dead_and_merged_companies_are_not_targets(test_chain):
    target("镇江本地储能有限公司", region=ZHENJIANG_JINGKOU, node=test_chain.cells)
    rejected = target("被否储能有限公司", node=test_chain.cells)
    CompanyNode.objects.filter(company=rejected).update(decision=Decision.REJECTED)
    target("注销储能有限公司", node=test_chain.cells, registration_status="注销")
    kept = target("保留储能有限公司", node=test_chain.cells)
    merged = target("并入储能有限公司", node=test_chain.cells)
    merged.merged_into = kept
    merged.save()
    target("在营储能有限公司", node=test_chain.cells, registration_status="存续")
    assert sorted(names(test_chain.cells)) == sorted(["保留储能有限公司", "在营储能有限公司"])


def test_a_company_with_two_placements_is_listed_once(test_chain):
    company = target("重复储能有限公司", node=test_chain.cells)
    CompanyNode.objects.create(company=company, node=test_chain.cells, score=Decimal("2"))
    found = ranking(test_chain.cells)
    assert [t.company for t in found] == [company]
    assert found[0].parts["fit"] == Decimal("20.0")


def test_a_parent_node_takes_the_targets_of_its_children(test_chain):
    child = ChainNode.objects.create(
        chain=test_chain.chain, parent=test_chain.cells, name="电芯子环节", keywords="子环节"
    )
    target("子环节储能有限公司", node=child)
    assert names(test_chain.cells) == ["子环节储能有限公司"]
    assert names(test_chain.pcs) == []


def test_the_limit_cuts_the_list(test_chain):
    for n in range(7):
        target(f"批量储能{n}有限公司", node=test_chain.cells, insured_staff=10 * (n + 1))
    found = ranking(test_chain.cells, limit=3)
    assert [t.company.name for t in found] == [f"批量储能{n}有限公司" for n in (6, 5, 4)]


def test_a_change_to_a_company_shows_in_the_next_ranking(test_chain):
    small = target("后来增资储能有限公司", node=test_chain.cells, registered_capital=Decimal("10"))
    target("原本领先储能有限公司", node=test_chain.cells, registered_capital=Decimal("1000"))
    assert names(test_chain.cells)[0] == "原本领先储能有限公司"
    small.registered_capital = Decimal("100000")
    small.save()
    assert names(test_chain.cells)[0] == "后来增资储能有限公司"
    small.registration_status = "吊销"
    small.save()
    assert names(test_chain.cells) == ["原本领先储能有限公司"]


def test_the_query_reads_only_the_nodes_placements(test_chain, django_assert_max_num_queries):
    for n in range(30):
        target(f"查询储能{n}有限公司", node=test_chain.cells, insured_staff=n + 1)
    ranking(test_chain.cells, limit=5)  # the first ranking copies the figures
    with django_assert_max_num_queries(20):
        found = ranking(test_chain.cells, limit=20)
    assert len(found) == 20

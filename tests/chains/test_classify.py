"""Where hand-written business scopes land on the shipped chains, and the matcher's rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yinli.chains.classify import Classifier, NodeRule
from yinli.chains.services import classify_text

pytestmark = pytest.mark.django_db


def nodes_of(text: str, code: str = "") -> list[tuple[str, str]]:
    return [(m["chain"], m["node"]) for m in classify_text(text=text, code=code)]


def test_a_cell_maker_lands_on_the_photovoltaic_cell_node():
    scope = "一般项目：高效太阳能电池片的研发、生产和销售；光伏设备及元器件销售；货物进出口"
    assert nodes_of(scope)[0] == ("光伏", "电池片")


def test_a_cell_maker_is_not_a_battery_maker():
    scope = "太阳能电池片、光伏电池的研发和生产"
    assert all(chain != "动力电池与储能" for chain, _node in nodes_of(scope))


def test_a_battery_recycling_firm_lands_on_the_battery_recycling_node():
    scope = "废旧动力电池回收、梯次利用；废旧锂电池拆解回收（不含危险废物经营）"
    assert nodes_of(scope) == [("动力电池与储能", "电池回收利用")]


def test_a_battery_recycler_is_kept_off_the_cell_node_by_its_exclude_words():
    scope = "锂离子电池回收处理；电池再生利用"
    assert ("动力电池与储能", "电芯") not in nodes_of(scope)
    assert ("动力电池与储能", "电池回收利用") in nodes_of(scope)


def test_a_bank_lands_nowhere():
    scope = (
        "吸收公众存款；发放短期、中期和长期贷款；办理国内外结算；办理票据承兑与贴现；"
        "发行金融债券；从事同业拆借（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
    )
    assert classify_text(text="镇江示范农村商业银行股份有限公司\n" + scope, code="J6620") == []


def test_a_restaurant_lands_nowhere():
    scope = "许可项目：餐饮服务；食品销售；酒类经营。一般项目：外卖递送服务；日用百货销售"
    assert classify_text(text="京口老街餐饮管理有限公司\n" + scope, code="H6210") == []


def test_a_negated_bracket_does_not_place_a_company():
    assert nodes_of("普通货物仓储服务（不含危险化学品、危险废物）") == []


def test_matching_ignores_full_width_and_case():
    assert ("动力电池与储能", "模组与电池包") in nodes_of("电池ｐａｃｋ组装")


def rules(*items):
    return Classifier(
        NodeRule(i, "链", name, kw, ex, codes) for i, (name, kw, ex, codes) in enumerate(items, 1)
    )


def test_an_exclude_word_vetoes_its_node_only():
    classifier = rules(("电芯", ("锂电池",), ("回收",), ()), ("回收", ("回收",), (), ()))
    assert [m.node for m in classifier.classify("锂电池回收")] == ["回收"]
    assert [m.node for m in classifier.classify("锂电池制造")] == ["电芯"]


def test_the_longest_keyword_wins_where_two_overlap():
    classifier = rules(("电池", ("电池",), (), ()), ("太阳能电池", ("太阳能电池",), (), ()))
    assert [m.node for m in classifier.classify("太阳能电池制造")] == ["太阳能电池"]


def test_each_distinct_keyword_counts_one_point_and_the_best_comes_first():
    classifier = rules(("甲", ("储能",), (), ()), ("乙", ("变流器", "逆变器"), (), ()))
    found = classifier.classify("储能变流器、逆变器、变流器")
    assert [(m.node, m.score, m.matched) for m in found] == [
        ("乙", Decimal(2), ["变流器", "逆变器"]),
        ("甲", Decimal(1), ["储能"]),
    ]


def test_a_class_code_places_a_company_without_keywords():
    classifier = rules(("电芯", (), (), ("3841",)))
    assert [m.node for m in classifier.classify("", "C3841")] == ["电芯"]


def test_a_division_code_alone_is_too_broad_but_adds_to_keywords():
    classifier = rules(("电气", ("变压器",), (), ("38",)))
    assert classifier.classify("", "C3841") == []
    assert classifier.classify("变压器制造", "C3821")[0].score == Decimal("1.25")

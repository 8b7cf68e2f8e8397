"""The bulletin's wording follows the numbers and the definition's rules."""

from decimal import Decimal

import pytest

from yinli.stats.bulletin import bulletin_text, number
from yinli.stats.definitions import definition_new_version


def report(**changes):
    base = {
        "definition": {"name": "亿元以上项目统计口径", "version": 1},
        "period": {"kind": "half", "label": "2025年上半年", "short_label": "上半年"},
        "scope": {"kind": "city", "name": "镇江市", "short_name": "镇江"},
        "signed": {
            "count": 267,
            "investment_yi": Decimal("1158.8"),
            "count_yoy_pct": Decimal("20.81447963800904977375565611"),
            "investment_yoy_pct": Decimal("5.904"),
        },
        "foreign": {"investment_share_pct": Decimal("8.54")},
        "in_statistics": {
            "count": 40,
            "investment_yi": Decimal("200.0"),
            "investment_yoy_pct": Decimal("16.686"),
            "previous": {"count": 33},
        },
        "by_category": [],
        "by_region_group": [
            {
                "name": "粤港澳大湾区",
                "short_name": "大湾区",
                "count": 20,
                "count_share_pct": Decimal("7.49"),
                "investment_yi": Decimal("115.0"),
                "investment_share_pct": Decimal("9.924"),
            }
        ],
        "top_source_cities": [],
    }
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def test_the_report_paragraph_is_reproduced(definition):
    assert bulletin_text(report(), definition=definition) == (
        "上半年全市新签约亿元以上项目267个，总投资1158.8亿元，项目数量和投资额同比分别增长20.8%和5.9%。"
        "其中外资项目协议投资比重超过8%，新入库列统投资200亿元，同比增长16.7%。"
        "新签约项目中来自大湾区的有20个（占比7.5%），总投资约115亿元（占全市9.9%）。"
    )


def test_both_falling_say_decrease_without_a_minus_sign(definition):
    text = bulletin_text(
        report(signed={"count_yoy_pct": Decimal("-3.21"), "investment_yoy_pct": Decimal("-10")}),
        definition=definition,
    )
    assert "项目数量和投资额同比分别下降3.2%和10%。" in text
    assert "-" not in text


def test_changes_of_different_signs_name_each_direction(definition):
    text = bulletin_text(
        report(signed={"count_yoy_pct": Decimal("12.5"), "investment_yoy_pct": Decimal("-3.2")}),
        definition=definition,
    )
    assert "项目数量和投资额同比分别增长12.5%和下降3.2%" in text


def test_a_change_that_rounds_to_zero_is_flat(definition):
    text = bulletin_text(
        report(signed={"count_yoy_pct": Decimal("0.04"), "investment_yoy_pct": Decimal("5.9")}),
        definition=definition,
    )
    assert "项目数量同比持平，投资额同比增长5.9%" in text


def test_both_flat(definition):
    text = bulletin_text(
        report(signed={"count_yoy_pct": Decimal(0), "investment_yoy_pct": Decimal("-0.01")}),
        definition=definition,
    )
    assert "项目数量和投资额同比均持平" in text


def test_no_base_last_year_means_no_change_is_said(definition):
    text = bulletin_text(
        report(signed={"count_yoy_pct": None, "investment_yoy_pct": None}), definition=definition
    )
    assert text.startswith("上半年全市新签约亿元以上项目267个，总投资1158.8亿元。")


def test_only_the_change_there_is(definition):
    text = bulletin_text(
        report(signed={"count_yoy_pct": None, "investment_yoy_pct": Decimal("5.9")}),
        definition=definition,
    )
    assert "总投资1158.8亿元，投资额同比增长5.9%。" in text


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (Decimal("8.54"), "比重超过8%"),
        (Decimal("7.97"), "比重超过7%"),
        (Decimal("8"), "比重为8%"),
        (Decimal("0.4"), "比重不足1%"),
    ],
)
def test_the_foreign_share_is_said_as_a_whole_percent(definition, share, words):
    text = bulletin_text(report(foreign={"investment_share_pct": share}), definition=definition)
    assert words in text


def test_no_foreign_projects_no_foreign_clause(definition):
    text = bulletin_text(report(foreign={"investment_share_pct": None}), definition=definition)
    assert "外资" not in text
    assert "。新入库列统投资200亿元，同比增长16.7%。" in text


def test_in_statistics_falling(definition):
    text = bulletin_text(
        report(in_statistics={"investment_yoy_pct": Decimal("-4.44")}), definition=definition
    )
    assert "新入库列统投资200亿元，同比下降4.4%。" in text


def test_the_group_amount_is_about_a_whole_number(definition):
    group = {**report()["by_region_group"][0], "investment_yi": Decimal("114.62")}
    text = bulletin_text(report(by_region_group=[group]), definition=definition)
    assert "总投资约115亿元" in text


def test_a_district_says_its_name_instead_of_the_city(definition):
    text = bulletin_text(
        report(scope={"kind": "district", "name": "镇江经开区", "short_name": "经开区"}),
        definition=definition,
    )
    assert text.startswith("上半年镇江经开区新签约亿元以上项目267个")
    assert "占经开区9.9%" in text


def test_a_year_is_said_with_its_number(definition):
    text = bulletin_text(
        report(period={"kind": "year", "label": "2025年", "short_label": "全年"}),
        definition=definition,
    )
    assert text.startswith("2025年全市新签约")


def test_categories_and_the_top_city_when_there_are_some(definition):
    text = bulletin_text(
        report(
            by_category=[
                {"name": "工业", "count": 200, "investment_yi": Decimal("900.04")},
                {"name": "服务业", "count": 67, "investment_yi": Decimal("258.76")},
            ],
            top_source_cities=[{"name": "上海市", "short_name": "上海"}],
            top_source_cities_window={"years": 3},
        ),
        definition=definition,
    )
    assert "分产业看，工业项目200个、总投资900亿元；服务业项目67个、总投资258.8亿元。" in text
    assert text.endswith("近3年，上海是镇江市外项目来源最多的城市。")


def test_the_wording_belongs_to_the_version(definition, city):
    version = definition_new_version(
        based_on=definition,
        changes={"threshold_total_wan": 5000, "wording": {"over": "逾", "increase": "增加"}},
        by=city.analyst,
    )
    text = bulletin_text(report(definition={"version": 2}), definition=version)
    assert text.startswith("上半年全市新签约5000万元以上项目267个")
    assert "分别增加20.8%和5.9%" in text
    assert "比重逾8%" in text


def test_the_bulletin_finds_its_version_by_number(definition):
    assert bulletin_text(report()).startswith("上半年全市")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1158.84"), "1158.8"),
        (Decimal("200.0"), "200"),
        (Decimal("0.05"), "0.1"),
        (Decimal("-0.04"), "0"),
        (5.95, "6"),
    ],
)
def test_numbers_are_said_half_up_without_trailing_zeros(value, text):
    assert number(value) == text

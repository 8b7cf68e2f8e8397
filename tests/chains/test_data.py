"""The shipped data: the GB/T 4754-2017 table and the chains, loaded on migrate."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from yinli.chains.loading import read_chains
from yinli.chains.models import Chain, ChainNode, IndustryClass
from yinli.demo import city

pytestmark = pytest.mark.django_db

DEMO_DIRECTIONS = [
    "生物医药及大健康",
    "航空航天及低空",
    "新能源及新型电力装备",
    "新材料及精细化工",
    "智能装备及涉港产业",
]


def test_the_industry_table_has_the_20_sections_and_97_divisions():
    assert IndustryClass.objects.filter(level="section").count() == 20
    divisions = IndustryClass.objects.filter(level="division")
    assert divisions.count() == 97
    assert divisions.get(code="38").name == "电气机械和器材制造业"
    assert divisions.get(code="38").parent.code == "C"


def test_the_demo_zone_directions_and_two_more_chains_are_shipped():
    assert set(DEMO_DIRECTIONS) <= {spec.name for spec in city.INDUSTRIES}
    names = set(Chain.objects.values_list("name", flat=True))
    assert set(DEMO_DIRECTIONS) | {"光伏", "动力电池与储能"} <= names


@pytest.mark.parametrize("name", [*DEMO_DIRECTIONS, "光伏", "动力电池与储能"])
def test_each_shipped_chain_has_15_nodes_over_three_segments(name):
    nodes = ChainNode.objects.filter(chain__name=name)
    assert nodes.count() >= 15
    assert set(nodes.values_list("segment", flat=True)) == {"upstream", "midstream", "downstream"}
    assert all(n.keyword_list for n in nodes)


def test_every_node_code_is_in_the_industry_table():
    known = set(IndustryClass.objects.values_list("code", flat=True))
    codes = {code for node in ChainNode.objects.all() for code in node.code_list}
    assert codes and codes <= known


def test_a_bad_segment_in_a_data_file_is_named(tmp_path):
    path = tmp_path / "chains.json"
    path.write_text(
        '{"chains": [{"name": "测试", "nodes": [{"name": "甲", "segment": "sideways"}]}]}',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as error:
        read_chains(path)
    assert "测试" in error.value.messages[0]
    assert "sideways" in error.value.messages[0]

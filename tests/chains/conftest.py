"""A small hand-built chain (测试储能链) for the chains tests, apart from the shipped ones."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from yinli.chains.models import Chain, ChainNode


@dataclass
class TestChain:
    chain: Chain
    cells: ChainNode
    recycling: ChainNode
    pcs: ChainNode
    charging: ChainNode


def node(chain, name, segment, keywords, exclude="", codes="", order=0):
    return ChainNode.objects.create(
        chain=chain,
        name=name,
        segment=segment,
        keywords="\n".join(keywords.split()),
        exclude_words="\n".join(exclude.split()),
        industry_codes=codes,
        sort_order=order,
    )


@pytest.fixture
def test_chain(db):
    chain = Chain.objects.create(name="测试储能链", industries="生物医药及大健康", sort_order=99)
    return TestChain(
        chain=chain,
        cells=node(chain, "储能电芯", "midstream", "储能电芯 磷酸铁锂电芯", "回收", "3841", 1),
        recycling=node(chain, "电池再生", "downstream", "电池再生 拆解", "", "", 2),
        pcs=node(chain, "变流器", "midstream", "储能变流器", "", "", 3),
        charging=node(chain, "充电服务", "downstream", "充电站运营", "", "", 4),
    )

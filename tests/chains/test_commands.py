"""`yinli chains load | classify | classify-text`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from yinli.chains.models import Chain, ChainNode, CompanyNode

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("chains", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_classify_text_prints_the_nodes_best_first_as_json():
    out, _err = run(
        "classify-text", "锂离子电池、储能电池研发生产；电池管理系统", "--format", "json"
    )
    found = json.loads(out)
    assert found[0]["chain"] == "动力电池与储能" and found[0]["node"] == "电芯"
    assert found[0]["matched"] == ["锂离子电池", "储能电池"]
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)


def test_classify_text_prints_an_empty_list_for_a_restaurant():
    out, _err = run("classify-text", "餐饮服务；食品销售", "--format", "json")
    assert json.loads(out) == []


def test_an_unknown_chain_is_a_usage_error():
    with pytest.raises(CommandError) as error:
        run("classify-text", "电池", "--chain", "不存在的链")
    assert error.value.returncode == 2


def test_classify_places_companies_with_progress_on_stderr(test_chain):
    company = factories.company(business_scope="储能电芯生产")
    out, err = run("classify", "--chain", "测试储能链", "--format", "json")
    counts = json.loads(out)
    assert counts["companies"] >= 1 and counts["placements"] >= 1
    assert CompanyNode.objects.filter(company=company, node=test_chain.cells).exists()
    assert (
        not CompanyNode.objects.filter(company=company)
        .exclude(node__chain=test_chain.chain)
        .exists()
    )
    assert "%" in err or "it/s" in err or "companies" in err or "家" in err


def test_a_district_editor_may_not_classify(city):
    with pytest.raises(CommandError) as error:
        run("classify", "--user", city.jingkou_editor.username)
    assert error.value.returncode == 1


def test_load_keeps_existing_chains_and_replace_reloads_them():
    node = ChainNode.objects.get(chain__name="光伏", name="电池片")
    node.keywords = "改过的词"
    node.save()
    out, _err = run("load", "--format", "json")
    assert json.loads(out)["chains"] == 0
    assert ChainNode.objects.get(pk=node.pk).keywords == "改过的词"
    out, _err = run("load", "--replace", "--format", "json")
    assert json.loads(out)["chains"] == 7
    assert Chain.objects.filter(name="光伏").count() == 1
    assert "TOPCon" in ChainNode.objects.get(chain__name="光伏", name="电池片").keyword_list

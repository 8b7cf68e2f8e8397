"""The chains API: chains and nodes, the map, classify-text, a company's placements."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import ApiClient
from yinli.chains.models import CompanyNode, Decision

pytestmark = pytest.mark.django_db


def test_chains_are_listed_with_their_nodes(city, test_chain):
    api = ApiClient(city.jingkou_editor)
    chains = api.get("/chains").json()
    assert "光伏" in [c["name"] for c in chains]
    detail = api.get(f"/chains/{test_chain.chain.pk}").json()
    assert [n["name"] for n in detail["nodes"]] == ["储能电芯", "电池再生", "变流器", "充电服务"]
    assert detail["nodes"][0]["keywords"] == ["储能电芯", "磷酸铁锂电芯"]


def test_the_map_rates_each_node(city, test_chain):
    company = factories.company("镇江电芯有限公司", region="321102", insured_staff=50)
    CompanyNode.objects.create(company=company, node=test_chain.cells, score=1)
    data = ApiClient(city.analyst).get(f"/chains/{test_chain.chain.pk}/map").json()
    nodes = {n["node"]["name"]: n for n in data["nodes"]}
    assert (nodes["储能电芯"]["strength"], nodes["储能电芯"]["insured_staff"]) == ("weak", 50)
    assert nodes["充电服务"]["strength"] == "missing"


def test_classify_text_answers_best_first_and_empty_for_a_bank(city):
    api = ApiClient(city.jingkou_editor)
    found = api.post("/chains/classify-text", {"text": "废旧动力电池回收、梯次利用"}).json()
    assert found[0]["node"] == "电池回收利用"
    assert api.post("/chains/classify-text", {"text": "吸收公众存款；发放贷款"}).json() == []


def test_an_analyst_confirms_and_overrides_through_the_api(city, test_chain):
    company = factories.company(business_scope="储能电芯生产")
    api = ApiClient(city.analyst)
    base = f"/companies/{company.pk}/chain-nodes"
    confirmed = api.post(f"{base}/{test_chain.pcs.pk}/confirm", {"note": "实地走访确认"})
    assert confirmed.status_code == 200
    assert confirmed.json()["decision"] == "confirmed" and confirmed.json()["source"] == "manual"
    overridden = api.post(f"{base}/{test_chain.cells.pk}/override", {})
    assert overridden.json()["decision"] == "rejected"
    listed = {p["node"]: p["decision"] for p in api.get(base).json()}
    assert listed == {"变流器": "confirmed", "储能电芯": "rejected"}


def test_a_district_editor_gets_403_and_an_unknown_node_404(city, test_chain):
    company = factories.company(business_scope="储能电芯生产")
    api = ApiClient(city.jingkou_editor)
    assert (
        api.post(f"/companies/{company.pk}/chain-nodes/{test_chain.pcs.pk}/confirm", {}).status_code
        == 403
    )
    assert not CompanyNode.objects.filter(decision=Decision.CONFIRMED).exists()
    assert (
        ApiClient(city.analyst)
        .post(f"/companies/{company.pk}/chain-nodes/999999/confirm", {})
        .status_code
        == 404
    )


def test_no_token_no_chains():
    assert ApiClient().get("/chains").status_code == 401

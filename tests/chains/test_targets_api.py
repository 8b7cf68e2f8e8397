"""Targets, target lists and relationships through the API and `yinli chains targets`."""

from __future__ import annotations

import json
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tests import factories
from tests.api.conftest import ApiClient
from yinli.chains import targets
from yinli.chains.models import CompanyNode, Relationship, TargetList

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(test_chain):
    found = []
    for name, region, score in [
        ("上海甲储能科技有限公司", "310115", "2"),
        ("北京乙储能科技有限公司", "110105", "1"),
    ]:
        company = factories.company(name, region=region)
        CompanyNode.objects.create(company=company, node=test_chain.cells, score=Decimal(score))
        found.append(company)
    return found


def test_the_targets_of_a_node_come_best_first_with_their_parts(city, test_chain, placed):
    data = ApiClient(city.jingkou_editor).get(f"/chain-nodes/{test_chain.cells.pk}/targets").json()
    assert [t["company"] for t in data["targets"]] == [c.name for c in placed]
    first = data["targets"][0]
    assert first["parts"]["fit"] == 20 and first["parts"]["region_group"] == 20
    assert first["score"] == pytest.approx(sum(first["parts"].values()))
    assert [p["key"] for p in first["explain"]] == targets.PARTS
    assert "log10" in data["rule"]


def test_a_list_is_created_read_and_exported(city, test_chain, placed):
    api = ApiClient(city.team_member)
    response = api.post(
        "/target-lists",
        {
            "node_id": test_chain.cells.pk,
            "team_id": city.team.pk,
            "company_ids": [placed[1].pk, placed[0].pk],
            "name": "接口清单",
        },
    )
    assert response.status_code == 201
    created = response.json()
    assert [i["company"] for i in created["items"]] == [c.name for c in placed]
    assert created["team"] == city.team.name and created["targets"] == 2
    assert api.get(f"/target-lists/{created['id']}").json()["name"] == "接口清单"
    assert [t["name"] for t in api.get("/target-lists?scope=mine").json()] == ["接口清单"]
    export = api.get(f"/target-lists/{created['id']}/export")
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[3][1] == placed[0].name


def test_lists_of_a_team_are_hidden_from_another_district(city, test_chain, placed):
    created = ApiClient(city.team_member).post(
        "/target-lists",
        {"node_id": test_chain.cells.pk, "team_id": city.team.pk, "company_ids": [placed[0].pk]},
    )
    list_id = created.json()["id"]
    other = ApiClient(city.jingkou_editor)
    assert other.get(f"/target-lists/{list_id}").status_code == 404
    assert other.get(f"/target-lists/{list_id}/export").status_code == 404
    assert other.get("/target-lists").json() == []
    assert ApiClient(city.analyst).get(f"/target-lists/{list_id}").status_code == 200


def test_assigning_to_a_team_outside_ones_reach_is_forbidden(city, test_chain, placed):
    response = ApiClient(city.team_member).post(
        "/target-lists",
        {"node_id": test_chain.cells.pk, "team_id": city.jingkou.pk, "company_ids": [placed[0].pk]},
    )
    assert response.status_code == 403
    assert not TargetList.objects.exists()


def test_a_target_becomes_a_lead_through_the_api(city, test_chain, placed):
    api = ApiClient(city.team_member)
    created = api.post(
        "/target-lists",
        {"node_id": test_chain.cells.pk, "team_id": city.team.pk, "company_ids": [placed[0].pk]},
    ).json()
    item = created["items"][0]
    response = api.post(f"/target-lists/{created['id']}/items/{item['id']}/lead", {})
    assert response.status_code == 201
    detail = api.get(f"/target-lists/{created['id']}").json()
    assert detail["items"][0]["lead_project_id"] == response.json()["project_id"]
    assert detail["items"][0]["project_ids"] == [response.json()["project_id"]]
    assert api.post(f"/target-lists/{created['id']}/items/{item['id']}/lead", {}).status_code == 422


def test_relationships_are_created_and_listed(city, placed):
    local = factories.company("镇江本地储能有限公司", region="321102")
    api = ApiClient(city.team_member)
    response = api.post(
        "/relationships",
        {"company_id": placed[0].pk, "other_id": local.pk, "kind": "supplier"},
    )
    assert response.status_code == 201
    assert response.json()["sentence"] == "上海甲储能科技有限公司 是 镇江本地储能有限公司 的供应商"
    listed = ApiClient(city.outsider).get(f"/relationships?company_id={local.pk}").json()
    assert [r["company"] for r in listed] == ["上海甲储能科技有限公司"]
    assert (
        ApiClient(city.outsider)
        .post(
            "/relationships", {"company_id": placed[1].pk, "other_id": local.pk, "kind": "partner"}
        )
        .status_code
        == 403
    )
    same = api.post(
        "/relationships", {"company_id": placed[0].pk, "other_id": placed[0].pk, "kind": "partner"}
    )
    assert same.status_code == 422


# --- the command -------------------------------------------------------------------------


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("chains", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_targets_command_prints_json_best_first(city, test_chain, placed):
    local = factories.company("镇江本地储能有限公司", region="321102")
    Relationship.objects.create(company=placed[1], other=local, kind="customer")
    out, err = run("targets", "--chain", "测试储能链", "--node", "储能电芯", "--format", "json")
    found = json.loads(out)
    assert [f["company"] for f in found] == [placed[0].name, placed[1].name]
    assert set(found[0]) >= {"company", "credit_code", "region", "score", "parts"}
    assert found[1]["parts"]["ties"] == 15
    assert found[0]["score"] >= found[1]["score"]
    assert "储能电芯" in err


def test_the_targets_command_writes_a_workbook(city, test_chain, placed, tmp_path):
    path = tmp_path / "targets.xlsx"
    run(
        "targets",
        "--chain",
        "测试储能链",
        "--node",
        "储能电芯",
        "--limit",
        "1",
        "--format",
        "xlsx",
        "--output",
        str(path),
    )
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[2][:2] == ("排名", "企业名称")
    assert [r[1] for r in rows[3:]] == [placed[0].name]


def test_an_unknown_node_is_a_usage_error(city, test_chain):
    with pytest.raises(CommandError) as error:
        run("targets", "--chain", "测试储能链", "--node", "不存在的环节", "--format", "json")
    assert error.value.returncode == 2
    assert "储能电芯" in str(error.value)


def test_xlsx_without_an_output_is_a_usage_error(city, test_chain):
    with pytest.raises(CommandError) as error:
        run("targets", "--chain", "测试储能链", "--node", "储能电芯", "--format", "xlsx")
    assert error.value.returncode == 2

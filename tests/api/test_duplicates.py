"""The API's duplicate warning and confirmations, candidate search, claims, conflicts, merges."""

import pytest

from tests import factories
from tests.api.helpers import has_chinese
from yinli.projects.models import Conflict, ConflictStatus, Project

INVESTOR = "恒远光电科技（常州）有限公司"
SECRET = "经开区保密光学膜项目"


@pytest.fixture
def investor(db):
    return factories.company(INVESTOR, region="320400")


@pytest.fixture
def existing(city, investor):
    return factories.project(
        city, district=city.jingkai, name=SECRET, company=investor, total_wan="76543"
    )


def lead_body(city, investor, **extra):
    body = {"name": "光学膜二期项目", "district": "jingkou", "company": investor.pk}
    body.update(extra)
    return body


# --- create and update with the warning ------------------------------------------------------


def test_creating_for_an_investor_with_a_project_answers_422_with_the_duplicates(
    api_as, city, investor, existing
):
    response = api_as(city.jingkou_editor).post("/projects", lead_body(city, investor))
    assert response.status_code == 422
    body = response.json()
    assert "duplicate_decision" in body["fields"]
    assert has_chinese(body["detail"][0])
    [warning] = body["duplicates"]
    assert warning["project_id"] == existing.pk
    assert warning["district_name"] == "镇江经开区"
    assert warning["visible"] is False
    assert warning["project_name"] is None and warning["total_investment_wan"] is None
    assert SECRET not in response.content.decode()
    assert not Project.objects.filter(name="光学膜二期项目").exists()


def test_distinct_needs_a_reason(api_as, city, investor, existing):
    response = api_as(city.jingkou_editor).post(
        "/projects", lead_body(city, investor, duplicate_decision={"decision": "distinct"})
    )
    assert response.status_code == 422
    assert response.json()["duplicates"]


def test_distinct_with_a_reason_creates_and_records_it(api_as, city, investor, existing):
    response = api_as(city.jingkou_editor).post(
        "/projects",
        lead_body(
            city,
            investor,
            duplicate_decision={"decision": "distinct", "reason": "新建汽车光学膜产线"},
        ),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["duplicate_decision"], body["duplicate_reason"]) == (
        "distinct",
        "新建汽车光学膜产线",
    )
    assert not Conflict.objects.exists()


def test_same_creates_and_opens_a_conflict(api_as, city, investor, existing):
    response = api_as(city.jingkou_editor).post(
        "/projects", lead_body(city, investor, duplicate_decision={"decision": "same"})
    )
    assert response.status_code == 201, response.json()
    conflict = Conflict.objects.get()
    assert (conflict.project_a_id, conflict.project_b_id) == (existing.pk, response.json()["id"])


def test_an_unknown_decision_is_a_schema_error(api_as, city, investor, existing):
    response = api_as(city.jingkou_editor).post(
        "/projects", lead_body(city, investor, duplicate_decision={"decision": "maybe"})
    )
    assert response.status_code == 422
    assert "duplicate_decision" in response.json()["fields"]


def test_a_new_investor_needs_no_answer(api_as, city):
    other = factories.company("全新测试企业有限公司")
    response = api_as(city.jingkou_editor).post(
        "/projects", {"name": "新项目", "district": "jingkou", "company": other.pk}
    )
    assert response.status_code == 201


def test_changing_the_investor_in_an_update_warns(api_as, city, investor, existing):
    mine = factories.project(city, district=city.jingkou)
    client = api_as(city.jingkou_editor)
    response = client.patch(f"/projects/{mine.pk}", {"company": investor.pk, "version": 1})
    assert response.status_code == 422
    assert response.json()["duplicates"][0]["project_id"] == existing.pk
    response = client.patch(
        f"/projects/{mine.pk}",
        {
            "company": investor.pk,
            "version": 1,
            "duplicate_decision": {"decision": "distinct", "reason": "不同产品"},
        },
    )
    assert response.status_code == 200, response.json()


def test_the_duplicate_check_endpoint(api_as, city, investor, existing):
    body = (
        api_as(city.jingkou_editor)
        .get(
            "/duplicates/check", {"name": "恒远光电科技(常州)有限公司", "district": city.jingkou.pk}
        )
        .json()
    )
    assert [w["project_id"] for w in body] == [existing.pk]


# --- candidate search --------------------------------------------------------------------------


def test_match_finds_a_variant_of_the_name(api_as, city, investor):
    body = api_as(city.analyst).get("/companies/match", {"q": "恒远光电科技(常州)有限公司"}).json()
    assert body[0]["company_id"] == investor.pk
    assert 0 <= body[0]["score"] <= 100 and body[0]["reason"]


# --- claims --------------------------------------------------------------------------------


def test_claims_list_and_create(api_as, city, existing):
    client = api_as(city.jingkai_editor)
    created = client.post(
        f"/projects/{existing.pk}/claims",
        {"evidence_kind": "visit", "evidence": "赴常州拜访", "claimed_on": "2025-06-01"},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["state"] in ("valid", "expired")
    listed = client.get(f"/projects/{existing.pk}/claims").json()
    assert [c["evidence"] for c in listed] == ["赴常州拜访"]
    assert api_as(city.jingkou_editor).get(f"/projects/{existing.pk}/claims").status_code == 404


def test_a_claim_without_evidence_is_refused_in_chinese(api_as, city, existing):
    response = api_as(city.jingkai_editor).post(
        f"/projects/{existing.pk}/claims", {"evidence_kind": "meeting"}
    )
    assert response.status_code == 422
    assert has_chinese(response.json()["detail"][0])


# --- conflicts -------------------------------------------------------------------------------


@pytest.fixture
def conflict(api_as, city, investor, existing):
    response = api_as(city.jingkou_editor).post(
        "/projects", lead_body(city, investor, duplicate_decision={"decision": "same"})
    )
    assert response.status_code == 201
    return Conflict.objects.get()


def test_a_district_sees_the_conflict_and_with_whom_not_the_record(api_as, city, conflict):
    client = api_as(city.jingkou_editor)
    page = client.get("/conflicts").json()
    assert [c["id"] for c in page["items"]] == [conflict.pk]
    body = client.get(f"/conflicts/{conflict.pk}").json()
    assert body["a"]["district"]["name"] == "镇江经开区"
    assert body["a"]["visible"] is False
    assert body["a"]["project_id"] is None and body["a"]["project_name"] is None
    assert body["b"]["project_name"] == "光学膜二期项目"
    assert SECRET not in client.get(f"/conflicts/{conflict.pk}").content.decode()


def test_a_district_cannot_rule(api_as, city, conflict):
    response = api_as(city.jingkou_editor).post(
        f"/conflicts/{conflict.pk}/ruling", {"ruling": "keep", "side": "b", "reason": "我方在先"}
    )
    assert response.status_code == 403
    assert Conflict.objects.get().status == ConflictStatus.OPEN


def test_an_outsider_gets_404(api_as, city, conflict):
    client = api_as(city.outsider)
    assert client.get(f"/conflicts/{conflict.pk}").status_code == 404
    assert client.get("/conflicts").json()["count"] == 0


def test_the_city_rules_through_the_api(api_as, city, conflict, existing):
    client = api_as(city.analyst)
    assert client.get(f"/conflicts/{conflict.pk}").json()["a"]["project_name"] == SECRET
    response = client.post(
        f"/conflicts/{conflict.pk}/ruling",
        {"ruling": "joint", "side": "a", "lead_share": 60, "reason": "共同引进，经开区牵头"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["ruling"], body["lead_share"], body["other_share"]) == (
        "ruled",
        "joint",
        60,
        40,
    )
    assert body["b"]["merged_into"] == existing.pk


def test_a_ruling_without_a_reason_is_422(api_as, city, conflict):
    response = api_as(city.analyst).post(
        f"/conflicts/{conflict.pk}/ruling", {"ruling": "reject", "reason": ""}
    )
    assert response.status_code == 422


# --- merges ----------------------------------------------------------------------------------


def test_project_merge_and_undo(api_as, city):
    kept = factories.project(city, district=city.jingkai)
    merged = factories.project(city, district=city.jingkai)
    client = api_as(city.admin)
    preview = client.get(f"/projects/{merged.pk}/merge-preview", {"into": kept.pk}).json()
    assert sum(preview["moves"].values()) == 1  # its stage change
    record = client.post(f"/projects/{merged.pk}/merge", {"into": kept.pk, "reason": "重复"})
    assert record.status_code == 201, record.json()
    assert Project.objects.get(pk=merged.pk).merged_into == kept
    undone = client.post(f"/project-merges/{record.json()['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert Project.objects.get(pk=merged.pk).merged_into is None


def test_company_merge_and_undo(api_as, city):
    kept = factories.company("恒远光电科技（常州）有限公司")
    merged = factories.company("恒远光电")
    project = factories.project(city, company=merged)
    client = api_as(city.analyst)
    record = client.post(f"/companies/{merged.pk}/merge", {"into": kept.pk})
    assert record.status_code == 201, record.json()
    assert Project.objects.get(pk=project.pk).company == kept
    client.post(f"/company-merges/{record.json()['id']}/undo")
    assert Project.objects.get(pk=project.pk).company == merged


def test_a_district_may_not_merge(api_as, city):
    kept = factories.project(city, district=city.jingkai)
    merged = factories.project(city, district=city.jingkai)
    response = api_as(city.jingkai_editor).post(f"/projects/{merged.pk}/merge", {"into": kept.pk})
    assert response.status_code == 403

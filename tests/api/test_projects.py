"""Projects through the API: read, create, update, stage, status, delete, restore, history."""

import json
from datetime import date

from tests import factories
from tests.api.helpers import has_chinese, signed_body, uscc
from yinli.core.models import Region
from yinli.projects.models import Project, Stage, StageChange, Status, Tag


def test_a_project_carries_its_references_and_labels(api_as, city):
    project = factories.project(city, district=city.jingkai, total_wan="15000")
    body = api_as(city.jingkai_editor).get(f"/projects/{project.pk}").json()
    assert body["id"] == project.pk
    assert body["version"] == 1
    assert body["district"] == {"id": city.jingkai.pk, "code": "jingkai", "name": "镇江经开区"}
    assert body["company"] == {
        "id": project.company.pk,
        "name": project.company.name,
        "uscc": None,
    }
    assert body["stage"] == "signed"
    assert "签约" in body["stage_label"]
    assert body["status"] == "active"
    assert body["first_signed_on"] == "2025-03-12"
    assert body["signing_region"] == {"code": "310115", "name": "浦东新区"}
    assert body["source_region"] == body["signing_region"]
    assert body["industry"]["name"] == "生物医药及大健康"
    assert body["channel"]["code"] == "business"
    assert body["deleted"] is False


def test_amounts_are_json_numbers_not_strings(api_as, city):
    project = factories.project(city, district=city.jingkai, total_wan="15000", land_mu="120.5")
    response = api_as(city.jingkai_editor).get(f"/projects/{project.pk}")
    raw = response.content.decode()
    assert '"total_investment_wan": 15000,' in raw
    assert '"total_investment_yi": 1.5,' in raw
    body = json.loads(raw)
    assert body["land_mu"] == 120.5
    assert isinstance(body["total_investment_wan"], int)
    assert body["expected_output_wan"] is None


def test_a_lead_is_created_with_a_district_code(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/projects",
        {"name": "智能装备研发中心项目", "district": "jingkou", "stage_on": "2025-05-06"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["stage"], body["stage_on"], body["version"]) == ("lead", "2025-05-06", 1)
    project = Project.objects.get(pk=body["id"])
    assert project.created_by == city.jingkou_editor
    assert project.history.first().history_user == city.jingkou_editor


def test_a_signed_project_is_created_with_text_amounts_and_regions(api_as, city):
    investor = factories.company("恒远光电科技（常州）有限公司", region="320400")
    response = api_as(city.jingkai_editor).post(
        "/projects",
        signed_body(
            city,
            investor,
            controller_region="韩国首尔",
            foreign_investment="2000万美元",
            expected_output_wan=80000,
        ),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["total_investment_wan"] == 35000
    assert body["total_investment_yi"] == 3.5
    assert (body["foreign_investment"], body["foreign_currency"]) == (2000, "USD")
    assert body["first_signed_on"] == "2025-03-12"
    assert body["controller_region"]["name"] == "首尔"
    assert body["source_region"] == body["controller_region"]
    assert body["expected_output_wan"] == 80000
    assert StageChange.objects.filter(project_id=body["id"], stage=Stage.SIGNED).exists()


def test_foreign_investment_text_may_name_its_currency(api_as, city):
    project = factories.project(city, district=city.jingkai)
    body = (
        api_as(city.jingkai_editor)
        .patch(f"/projects/{project.pk}", {"foreign_investment": "800万欧元", "version": 1})
        .json()
    )
    assert (body["foreign_investment"], body["foreign_currency"]) == (800, "EUR")


def test_a_currency_that_contradicts_the_text_is_refused(api_as, city):
    project = factories.project(city, district=city.jingkai)
    response = api_as(city.jingkai_editor).patch(
        f"/projects/{project.pk}",
        {"foreign_investment": "800万欧元", "foreign_currency": "USD", "version": 1},
    )
    assert response.status_code == 422
    assert "foreign_investment" in response.json()["fields"]


def test_an_update_changes_only_what_was_sent_and_raises_the_version(api_as, city):
    project = factories.project(city, district=city.jingkai, total_wan="15000")
    Tag.objects.create(name="专精特新")
    response = api_as(city.jingkai_editor).patch(
        f"/projects/{project.pk}",
        {"total_investment_wan": 20000, "tags": ["专精特新"], "version": 1},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["version"], body["total_investment_wan"], body["tags"]) == (2, 20000, ["专精特新"])
    assert body["name"] == project.name
    assert body["industry"]["id"] == city.industry.pk


def test_null_clears_a_field(api_as, city):
    project = factories.project(city, district=city.jingkai, stage=Stage.LEAD, jobs=300)
    body = (
        api_as(city.jingkai_editor)
        .patch(f"/projects/{project.pk}", {"jobs": None, "task_force": None, "version": 1})
        .json()
    )
    assert (body["jobs"], body["task_force"]) == (None, "")


def test_a_stale_version_is_409_and_nothing_is_overwritten(api_as, city):
    project = factories.project(city, district=city.jingkai)
    first, second = api_as(city.jingkai_editor), api_as(city.admin)
    assert (
        first.patch(f"/projects/{project.pk}", {"notes": "第一位", "version": 1}).status_code == 200
    )
    response = second.patch(f"/projects/{project.pk}", {"notes": "第二位", "version": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert body["detail"]
    project.refresh_from_db()
    assert (project.notes, project.version) == ("第一位", 2)


def test_an_update_needs_the_version(api_as, city):
    project = factories.project(city, district=city.jingkai)
    response = api_as(city.jingkai_editor).patch(f"/projects/{project.pk}", {"notes": "x"})
    assert response.status_code == 422
    assert "version" in response.json()["fields"]


def test_advancing_the_stage_logs_it_and_keeps_first_signed_on(api_as, city):
    investor = factories.company(uscc=uscc(1))
    project = factories.project(city, district=city.jingkai, company=investor)
    response = api_as(city.jingkai_editor).post(
        f"/projects/{project.pk}/stage",
        {"stage": "registered", "on": "2025-04-20", "note": "完成工商注册", "version": 1},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["stage"], body["stage_on"], body["first_signed_on"]) == (
        "registered",
        "2025-04-20",
        "2025-03-12",
    )
    log = StageChange.objects.filter(project=project).order_by("id").last()
    assert (log.stage, log.on, log.note, log.by) == (
        "registered",
        date(2025, 4, 20),
        "完成工商注册",
        city.jingkai_editor,
    )


def test_a_stage_without_its_fields_is_422_naming_what_is_missing(api_as, city):
    project = factories.project(city, district=city.jingkai)  # its company has no credit code
    response = api_as(city.jingkai_editor).post(
        f"/projects/{project.pk}/stage", {"stage": "registered", "on": "2025-04-20", "version": 1}
    )
    assert response.status_code == 422
    assert has_chinese(response.json()["detail"][0])
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED


def test_a_project_shows_what_the_next_stage_still_needs(api_as, city):
    project = factories.project(city, district=city.jingkai)
    body = api_as(city.jingkai_editor).get(f"/projects/{project.pk}").json()
    assert len(body["missing_for_next_stage"]) == 1


def test_a_lost_project_names_where_it_went(api_as, city):
    project = factories.project(city, district=city.jingkai)
    response = api_as(city.jingkai_editor).post(
        f"/projects/{project.pk}/status",
        {"status": "lost", "reason": "投资方选择落户常州", "lost_to": "江苏省常州市", "version": 1},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["status_reason"]) == ("lost", "投资方选择落户常州")
    assert "流失" in body["status_label"]
    assert body["lost_to"] == {"code": "320400", "name": "常州市"}


def test_a_paused_project_needs_a_reason(api_as, city):
    project = factories.project(city, district=city.jingkai)
    response = api_as(city.jingkai_editor).post(
        f"/projects/{project.pk}/status", {"status": "paused", "version": 1}
    )
    assert response.status_code == 422
    assert "reason" in response.json()["fields"]
    project.refresh_from_db()
    assert project.status == Status.ACTIVE


def test_delete_is_soft_and_restore_brings_it_back(api_as, city):
    project = factories.project(city, district=city.jingkai)
    client = api_as(city.jingkai_editor)
    response = client.delete(f"/projects/{project.pk}", {"version": 1})
    assert response.status_code == 200, response.json()
    assert (response.json()["deleted"], response.json()["version"]) == (True, 2)
    assert client.get("/projects").json()["count"] == 0
    assert [p["id"] for p in client.get("/projects", {"deleted": "true"}).json()["items"]] == [
        project.pk
    ]
    assert client.get(f"/projects/{project.pk}").json()["deleted"] is True
    restored = client.post(f"/projects/{project.pk}/restore", {"version": 2})
    assert restored.status_code == 200, restored.json()
    assert restored.json()["deleted"] is False
    assert client.get("/projects").json()["count"] == 1


def test_delete_needs_the_version(api_as, city):
    project = factories.project(city, district=city.jingkai)
    assert api_as(city.jingkai_editor).delete(f"/projects/{project.pk}").status_code == 422
    assert (
        api_as(city.jingkai_editor).delete(f"/projects/{project.pk}", {"version": 7}).status_code
        == 409
    )
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_deleted_project_cannot_be_edited_until_restored(api_as, city):
    project = factories.project(city, district=city.jingkai)
    client = api_as(city.jingkai_editor)
    client.delete(f"/projects/{project.pk}", {"version": 1})
    response = client.patch(f"/projects/{project.pk}", {"notes": "x", "version": 2})
    assert response.status_code == 422


def test_history_says_who_did_what_with_before_and_after(api_as, city):
    client = api_as(city.jingkai_editor)
    created = client.post("/projects", {"name": "生物医药产业园项目", "district": "jingkai"}).json()
    client.patch(f"/projects/{created['id']}", {"total_investment_wan": 12000, "version": 1})
    client.delete(f"/projects/{created['id']}", {"version": 2})
    entries = client.get(f"/projects/{created['id']}/history").json()
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    update = entries[1]
    assert update["by"] == {"id": city.jingkai_editor.pk, "name": "jkq_editor"}
    change = next(c for c in update["changes"] if c["field"] == "total_investment_wan")
    assert (change["before"], change["after"]) == ("", "12000")
    assert change["label"]
    assert entries[0]["action_label"]


def test_an_unknown_reference_is_422_naming_the_field_and_value(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/projects",
        {"name": "测试项目", "district": "jingkou", "channel": "飞鸽传书", "industry": "炼金术"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "飞鸽传书" in fields["channel"][0]
    assert has_chinese(fields["channel"][0], besides="飞鸽传书")
    assert "炼金术" in fields["industry"][0]
    assert any(m.startswith("channel") for m in response.json()["detail"])
    assert not Project.all_objects.exists()


def test_an_unreadable_amount_is_422_naming_field_and_text(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/projects",
        {"name": "测试项目", "district": "jingkou", "total_investment_wan": "好几个亿"},
    )
    assert response.status_code == 422
    assert "好几个亿" in response.json()["fields"]["total_investment_wan"][0]


def test_total_investment_in_another_currency_is_422_in_chinese(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/projects",
        {"name": "测试项目", "district": "jingkou", "total_investment_wan": "2亿美元"},
    )
    assert response.status_code == 422
    message = response.json()["fields"]["total_investment_wan"][0]
    assert "2亿美元" in message
    assert has_chinese(message, besides="2亿美元")


def test_messages_follow_accept_language(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/projects",
        {"name": "测试项目", "district": "jingkou", "total_investment_wan": "lots"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    message = response.json()["fields"]["total_investment_wan"][0]
    assert not has_chinese(message)
    assert "lots" in message


def test_a_wrong_type_is_422_in_chinese_naming_the_value(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/projects", {"name": "测试项目", "district": "jingkou", "jobs": "很多"}
    )
    assert response.status_code == 422
    body = response.json()
    assert "很多" in body["fields"]["jobs"][0]
    assert has_chinese(body["fields"]["jobs"][0], besides="很多")
    assert body["detail"][0].startswith("jobs")


def test_an_unknown_field_is_refused_not_ignored(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/projects", {"name": "测试项目", "district": "jingkou", "totl_investment": 5}
    )
    assert response.status_code == 422
    assert "totl_investment" in response.json()["fields"]


def test_a_region_that_cannot_be_resolved_is_422_with_the_lookup_message(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/projects", {"name": "测试项目", "district": "jingkou", "signing_region": "朝阳区"}
    )
    assert response.status_code == 422
    assert "朝阳区" in response.json()["fields"]["signing_region"][0]


def test_a_region_code_is_taken_as_it_is(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/projects", {"name": "测试项目", "district": "jingkou", "signing_region": "110105"}
    )
    assert response.status_code == 201
    assert response.json()["signing_region"]["code"] == "110105"
    assert Region.objects.get(code="110105").name == "朝阳区"

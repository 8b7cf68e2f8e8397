"""Obstacles, task forces, instructions and documents through the API, per persona."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import ApiClient
from tests.api.helpers import has_chinese
from yinli.supervision.models import Document, Instruction, Obstacle, TaskForce

from .conftest import days, pdf_bytes, today, upload


@pytest.fixture
def api(projects):
    return lambda user: ApiClient(user)


def raise_via_api(api, projects, **extra):
    body = {
        "project": projects.jingkou_project.pk,
        "title": "用地指标不足",
        "category": "land",
        "department": "自然资源和规划局",
        "deadline": days(20).isoformat(),
        **extra,
    }
    return api(extra.pop("user", projects.jingkou_editor)).post("/obstacles", body)


def test_the_obstacle_life_cycle(api, projects):
    response = raise_via_api(api, projects)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["department"]["code"] == "zrzy" and body["status"] == "open"
    oid = body["id"]
    client = api(projects.jingkou_editor)
    response = client.post(f"/obstacles/{oid}/progress", {"text": "已报省厅"})
    assert response.status_code == 200 and response.json()["notes"][0]["text"] == "已报省厅"
    version = response.json()["version"]
    response = client.post(f"/obstacles/{oid}/resolve", {"resolution": "", "version": version})
    assert response.status_code == 422
    assert "resolution" in response.json()["fields"]
    assert has_chinese(response.json()["fields"]["resolution"][0])
    response = client.post(
        f"/obstacles/{oid}/resolve", {"resolution": "指标已下达", "version": version - 1}
    )
    assert response.status_code == 409
    response = client.post(
        f"/obstacles/{oid}/resolve", {"resolution": "指标已下达", "version": version}
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"
    version = response.json()["version"]
    response = client.post(f"/obstacles/{oid}/reopen", {"reason": "指标被收回", "version": version})
    assert response.json()["status"] == "open"


def test_a_district_cannot_raise_on_another_districts_project(api, projects):
    response = raise_via_api(api, projects, project=projects.jingkai_project.pk)
    assert response.status_code == 422  # the project is not found in its scope
    assert Obstacle.objects.count() == 0


def test_an_unknown_department_is_named(api, projects):
    response = raise_via_api(api, projects, department="宇宙管理局")
    assert response.status_code == 422
    assert "宇宙管理局" in response.json()["fields"]["department"][0]


def test_lists_and_counts_are_scoped(api, projects):
    raise_via_api(api, projects)
    api(projects.admin).post(
        "/obstacles",
        {
            "project": projects.jingkai_project.pk,
            "title": "环评未批",
            "category": "environment",
            "department": "sthj",
            "deadline": days(5).isoformat(),
        },
    )
    assert api(projects.analyst).get("/obstacles").json()["count"] == 2
    assert api(projects.jingkou_editor).get("/obstacles").json()["count"] == 1
    assert api(projects.outsider).get("/obstacles").json()["count"] == 0
    counts = api(projects.analyst).get("/obstacles/counts", {"by": "district"}).json()
    assert {(c["name"], c["open"]) for c in counts} == {("京口区", 1), ("镇江经开区", 1)}
    other = Obstacle.objects.get(project=projects.jingkai_project)
    assert api(projects.jingkou_editor).get(f"/obstacles/{other.pk}").status_code == 404
    response = api(projects.jingkou_editor).post(
        f"/obstacles/{other.pk}/resolve", {"resolution": "x", "version": other.version}
    )
    assert response.status_code == 404


def test_task_force_put_and_get(api, projects):
    client = api(projects.jingkai_editor)
    url = f"/projects/{projects.jingkai_project.pk}/task-force"
    assert client.get(url).status_code == 404
    response = client.client.put(
        "/api/v1" + url,
        json.dumps(
            {
                "lead": projects.jingkai_editor.username,
                "members": [projects.team_member.username],
                "linked_leader_name": "张副市长",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["members"][0]["unit"]["code"] == "jingkai-bio-1"
    assert TaskForce.objects.get().project.linked_leader == "张副市长"
    assert client.get("/task-forces").json()["count"] == 1
    assert api(projects.jingkou_editor).get(url).status_code == 404


def test_instruction_life_cycle(api, projects):
    office = api(projects.analyst)
    response = office.post(
        "/instructions",
        {
            "text": "请尽快协调解决。",
            "issued_on": today().isoformat(),
            "deadline": days(7).isoformat(),
            "units": ["jingkou"],
            "leader_name": "王市长",
            "project": projects.jingkou_project.pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assignment = body["units"][0]
    response = office.post(f"/instructions/{body['id']}/done", {"version": body["version"]})
    assert response.status_code == 422 and "京口区" in response.json()["detail"][0]
    district = api(projects.jingkou_editor)
    assert (
        district.post(
            f"/instructions/units/{assignment['id']}/respond", {"response": "已协调"}
        ).status_code
        == 200
    )
    response = office.post(f"/instructions/{body['id']}/done", {"version": body["version"]})
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert api(projects.jingkai_editor).get(f"/instructions/{body['id']}").status_code == 404
    assert (
        api(projects.jingkou_editor)
        .post(
            "/instructions",
            {
                "text": "x",
                "issued_on": today().isoformat(),
                "deadline": days(1).isoformat(),
                "units": ["jingkou"],
                "matter": "x",
                "leader_name": "x",
            },
        )
        .status_code
        == 403
    )
    assert Instruction.objects.count() == 1


def test_documents_upload_list_download_and_scope(api, projects):
    client = api(projects.jingkou_editor)
    response = client.client.post(
        "/api/v1/documents",
        {
            "owner_type": "project",
            "owner_id": projects.jingkou_project.pk,
            "title": "投资协议",
            "kind": "agreement",
            "file": upload("投资协议.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    listed = client.get(
        "/documents", {"owner_type": "project", "owner_id": projects.jingkou_project.pk}
    ).json()
    assert [d["id"] for d in listed] == [body["id"]]
    download = client.client.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()
    other = api(projects.jingkai_editor)
    assert other.client.get(body["download_url"]).status_code == 404
    assert (
        other.get(
            "/documents", {"owner_type": "project", "owner_id": projects.jingkou_project.pk}
        ).status_code
        == 404
    )
    assert other.delete(f"/documents/{body['id']}").status_code == 404
    assert client.delete(f"/documents/{body['id']}").status_code == 204
    assert not Document.objects.exists()


def test_a_disguised_upload_is_422_naming_the_file(api, projects):
    response = api(projects.jingkou_editor).client.post(
        "/api/v1/documents",
        {
            "owner_type": "project",
            "owner_id": projects.jingkou_project.pk,
            "file": upload("批文.pdf", b"MZ" * 100),
        },
    )
    assert response.status_code == 422
    assert "批文.pdf" in response.json()["fields"]["file"][0]

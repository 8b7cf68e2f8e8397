"""Scope through the API: what each persona sees and may change (DESIGN.md personas).

A project outside the user's scope is 404 on every route, never 403, so that its existence does
not leak; a project she sees but may not change is 403; filing under a district she does not
enter data for is 403 (districts are public reference data, so nothing leaks).
"""

import pytest

from tests import factories
from yinli.projects.models import Project, Stage


@pytest.fixture
def jingkai_project(city):
    return factories.project(city, district=city.jingkai, name="年产10万吨锂电池隔膜项目")


ROUTES = [
    ("get", "/projects/{id}", None),
    ("patch", "/projects/{id}", {"notes": "越权修改", "version": 1}),
    ("delete", "/projects/{id}?version=1", None),
    ("post", "/projects/{id}/stage", {"stage": "registered", "on": "2025-04-01", "version": 1}),
    ("post", "/projects/{id}/status", {"status": "paused", "reason": "越权", "version": 1}),
    ("post", "/projects/{id}/restore", {"version": 1}),
    ("get", "/projects/{id}/history", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_it_refuses_other_district_as_not_found(api_as, city, jingkai_project, method, path, body):
    client = api_as(city.jingkou_editor)
    url = path.format(id=jingkai_project.pk)
    response = (
        getattr(client, method)(url, body) if body is not None else getattr(client, method)(url)
    )
    assert response.status_code == 404
    jingkai_project.refresh_from_db()
    assert (jingkai_project.version, jingkai_project.notes) == (1, "")
    assert jingkai_project.deleted_at is None


def test_other_districts_never_appear_in_her_list(api_as, city, jingkai_project):
    own = factories.project(city, district=city.jingkou)
    body = api_as(city.jingkou_editor).get("/projects").json()
    assert [p["id"] for p in body["items"]] == [own.pk]
    assert body["count"] == 1


def test_other_districts_never_appear_in_her_searches(api_as, city, jingkai_project):
    client = api_as(city.jingkou_editor)
    for params in (
        {"q": "锂电池"},
        {"q": "nc"},  # pinyin initials of 年产…
        {"q": jingkai_project.company.name},
        {"district": city.jingkai.pk},
        {"deleted": "true"},
    ):
        assert client.get("/projects", params).json()["count"] == 0, params


def test_a_company_page_counts_but_hides_other_districts_projects(api_as, city, jingkai_project):
    own = factories.project(city, district=city.jingkou, company=jingkai_project.company)
    body = api_as(city.jingkou_editor).get(f"/companies/{jingkai_project.company.pk}").json()
    assert [p["id"] for p in body["projects"]] == [own.pk]
    assert body["other_projects"] == 1
    assert "锂电池" not in str(body)


def test_she_cannot_file_a_project_under_another_district(api_as, city):
    response = api_as(city.jingkou_editor).post(
        "/projects", {"name": "越权录入项目", "district": "jingkai"}
    )
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not Project.all_objects.exists()


def test_she_cannot_move_her_project_into_another_district(api_as, city):
    own = factories.project(city, district=city.jingkou)
    response = api_as(city.jingkou_editor).patch(
        f"/projects/{own.pk}", {"district": "jingkai", "version": 1}
    )
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.district == city.jingkou


def test_she_changes_her_own_district_projects(api_as, city):
    own = factories.project(city, district=city.jingkou)
    response = api_as(city.jingkou_editor).patch(
        f"/projects/{own.pk}", {"notes": "已对接", "version": 1}
    )
    assert response.status_code == 200


def test_the_analyst_reads_every_district(api_as, city, jingkai_project):
    own = factories.project(city, district=city.jingkou)
    client = api_as(city.analyst)
    ids = {p["id"] for p in client.get("/projects").json()["items"]}
    assert ids == {own.pk, jingkai_project.pk}
    assert client.get(f"/projects/{jingkai_project.pk}/history").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/projects/{id}", {"notes": "分析员修改", "version": 1}),
        ("delete", "/projects/{id}?version=1", None),
        ("post", "/projects/{id}/stage", {"stage": "registered", "on": "2025-04-01", "version": 1}),
        ("post", "/projects/{id}/status", {"status": "paused", "reason": "测试", "version": 1}),
    ],
)
def test_the_analyst_changes_nothing(api_as, city, jingkai_project, method, path, body):
    client = api_as(city.analyst)
    url = path.format(id=jingkai_project.pk)
    response = (
        getattr(client, method)(url, body) if body is not None else getattr(client, method)(url)
    )
    assert response.status_code == 403
    jingkai_project.refresh_from_db()
    assert jingkai_project.version == 1


def test_the_analyst_files_nothing(api_as, city):
    response = api_as(city.analyst).post("/projects", {"name": "分析员录入", "district": "jingkai"})
    assert response.status_code == 403


def test_a_team_member_changes_her_teams_projects(api_as, city):
    ours = factories.project(city, district=city.jingkai, responsible_unit=city.team)
    response = api_as(city.team_member).patch(
        f"/projects/{ours.pk}", {"notes": "小分队跟进", "version": 1}
    )
    assert response.status_code == 200


def test_a_team_member_reads_but_does_not_change_the_rest_of_her_district(api_as, city):
    district_project = factories.project(city, district=city.jingkai, responsible_unit=city.jingkai)
    client = api_as(city.team_member)
    assert client.get(f"/projects/{district_project.pk}").status_code == 200
    response = client.patch(f"/projects/{district_project.pk}", {"notes": "x", "version": 1})
    assert response.status_code == 403


def test_a_team_member_does_not_see_other_districts(api_as, city):
    elsewhere = factories.project(city, district=city.jingkou)
    assert api_as(city.team_member).get(f"/projects/{elsewhere.pk}").status_code == 404


def test_an_outsider_sees_nothing_of_other_districts(api_as, city, jingkai_project):
    client = api_as(city.outsider)
    assert client.get("/projects").json()["count"] == 0
    assert client.get(f"/projects/{jingkai_project.pk}").status_code == 404


def test_an_admin_may_move_a_stage_back(api_as, city, jingkai_project):
    response = api_as(city.admin).post(
        f"/projects/{jingkai_project.pk}/stage",
        {"stage": "negotiating", "on": "2025-03-20", "version": 1},
    )
    assert response.status_code == 200
    assert response.json()["stage"] == Stage.NEGOTIATING

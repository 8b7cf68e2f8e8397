"""/api/v1/stats: the report (live and published) and the published reports, per persona."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from tests.api.helpers import has_chinese
from tests.stats.conftest import signed
from yinli.projects import services as project_services
from yinli.stats.models import PublishedReport
from yinli.stats.publish import publish_report


@pytest.fixture
def projects(city):
    return [
        signed(city, wan="20000", source="440300", district=city.jingkou),
        signed(city, wan="15000", district=city.jingkai),
    ]


def without_time(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "generated_at"}


def test_the_report_is_the_json_of_the_command(projects, city, api_as):
    response = api_as(city.admin).get("/stats/report", {"period": "2025H1"})
    assert response.status_code == 200
    out = StringIO()
    call_command("report", "--period", "2025H1", "--format", "json", stdout=out)
    assert without_time(response.json()) == without_time(json.loads(out.getvalue()))
    assert response.json()["signed"]["count"] == 2


def test_the_report_takes_a_district_and_a_version(projects, city, api_as):
    response = api_as(city.analyst).get(
        "/stats/report", {"period": "2025H1", "district": "京口区", "definition": 1}
    )
    body = response.json()
    assert body["scope"]["name"] == "京口区" and body["signed"]["count"] == 1
    assert body["definition"]["version"] == 1


def test_a_bad_period_is_422_in_chinese(projects, city, api_as):
    response = api_as(city.analyst).get("/stats/report", {"period": "2025H3"})
    assert response.status_code == 422
    body = response.json()
    assert "period" in body["fields"]
    assert has_chinese(body["fields"]["period"][0], besides="2025H3")


def test_an_unknown_district_and_version_are_422(projects, city, api_as):
    response = api_as(city.analyst).get(
        "/stats/report", {"period": "2025H1", "district": "火星区", "definition": 9}
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"district", "definition"}


def test_a_district_gets_its_own_report(projects, city, api_as):
    body = api_as(city.jingkou_editor).get("/stats/report", {"period": "2025H1"}).json()
    assert body["scope"]["name"] == "京口区" and body["signed"]["count"] == 1


def test_a_district_asking_for_another_district_is_404(projects, city, api_as):
    response = api_as(city.jingkou_editor).get(
        "/stats/report", {"period": "2025H1", "district": "jingkai"}
    )
    assert response.status_code == 404


def test_the_outsider_counts_nothing(projects, city, api_as):
    body = api_as(city.outsider).get("/stats/report", {"period": "2025H1"}).json()
    assert body["signed"]["count"] == 0


def test_anonymous_is_401(projects, anonymous):
    assert anonymous.get("/stats/report", {"period": "2025H1"}).status_code == 401
    assert anonymous.get("/stats/published").status_code == 401


def test_published_answers_the_frozen_report_after_an_edit(projects, city, api_as):
    published = publish_report(user=city.analyst, period="2025H1")
    project = projects[1]
    project_services.project_update(
        project=project,
        data={"total_investment": Decimal("45000")},
        version=project.version,
        by=city.admin,
    )
    client = api_as(city.jingkai_editor)
    frozen = client.get("/stats/report", {"period": "2025H1", "published": "true"}).json()
    assert frozen["signed"]["investment_yi"] == 3.5
    assert frozen["published"]["id"] == published.pk
    live = api_as(city.admin).get("/stats/report", {"period": "2025H1"}).json()
    assert live["signed"]["investment_yi"] == 6.5


def test_nothing_published_is_404_naming_the_period(projects, city, api_as):
    response = api_as(city.admin).get("/stats/report", {"period": "2025H1", "published": "true"})
    assert response.status_code == 404
    assert "2025H1" in response.json()["detail"]


def test_the_city_publishes(projects, city, api_as):
    response = api_as(city.analyst).post(
        "/stats/published", {"period": "2025H1", "title": "上半年通报"}
    )
    assert response.status_code == 201
    body = response.json()
    published = PublishedReport.objects.get()
    assert body["id"] == published.pk and body["title"] == "上半年通报"
    assert body["counted_ids"]["signed"] == sorted(p.pk for p in projects)
    assert body["report"]["signed"]["count"] == 2 and body["scope"] == "city"


def test_publishing_a_district_report(projects, city, api_as):
    response = api_as(city.admin).post(
        "/stats/published", {"period": "2025H1", "district": "jingkou"}
    )
    assert response.status_code == 201
    assert response.json()["district"]["name"] == "京口区"
    assert response.json()["signed_count"] == 1


@pytest.mark.parametrize("persona", ["jingkou_editor", "team_member", "outsider"])
def test_others_may_not_publish(projects, city, api_as, persona):
    response = api_as(getattr(city, persona)).post("/stats/published", {"period": "2025H1"})
    assert response.status_code == 403
    assert has_chinese(response.json()["detail"])
    assert not PublishedReport.objects.exists()


def test_publishing_a_bad_period_is_422(projects, city, api_as):
    response = api_as(city.admin).post("/stats/published", {"period": "2025-13"})
    assert response.status_code == 422
    assert "period" in response.json()["fields"]


def test_every_district_lists_and_reads_published_reports(projects, city, api_as):
    first = publish_report(user=city.analyst, period="2025H1")
    second = publish_report(user=city.analyst, period="2025H1")
    own = publish_report(user=city.analyst, period="2025H1", district=city.jingkou)
    for persona in ("jingkou_editor", "jingkai_editor", "outsider"):
        client = api_as(getattr(city, persona))
        body = client.get("/stats/published").json()
        assert [item["id"] for item in body["items"]] == [own.pk, second.pk, first.pk]
        detail = client.get(f"/stats/published/{first.pk}").json()
        assert detail["superseded_by"] == second.pk
        assert detail["report"]["signed"]["count"] == 2
    body = api_as(city.admin).get("/stats/published", {"district": "city"}).json()
    assert [item["id"] for item in body["items"]] == [second.pk, first.pk]
    body = api_as(city.admin).get("/stats/published", {"district": "京口区"}).json()
    assert [item["id"] for item in body["items"]] == [own.pk]


def test_a_guessed_id_is_404(projects, city, api_as):
    assert api_as(city.admin).get("/stats/published/999").status_code == 404


def test_changes_since_publishing(projects, city, api_as):
    published = publish_report(user=city.analyst, period="2025H1")
    project = projects[0]
    project_services.project_update(
        project=project,
        data={"total_investment": Decimal("9000")},
        version=project.version,
        by=city.admin,
    )
    body = api_as(city.analyst).get(f"/stats/published/{published.pk}/changes").json()
    signed_set = next(s for s in body["sets"] if s["key"] == "signed")
    assert [row["id"] for row in signed_set["removed"]] == [project.pk]
    response = api_as(city.jingkou_editor).get(f"/stats/published/{published.pk}/changes")
    assert response.status_code == 403


def test_a_district_reads_another_district_published_report(projects, city, api_as):
    publish_report(user=city.analyst, period="2025H1", district=city.jingkai)
    client = api_as(city.jingkou_editor)
    query = {"period": "2025H1", "district": "jingkai"}
    assert client.get("/stats/report", query).status_code == 404  # live: not hers
    response = client.get("/stats/report", {**query, "published": "true"})
    assert response.status_code == 200
    assert response.json()["scope"]["name"] == "镇江经开区"

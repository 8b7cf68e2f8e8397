"""The followup API by persona: funds, foreign capital, alerts, rules, permits."""

from __future__ import annotations

from datetime import date

import pytest

from tests.followup.conftest import followed
from yinli.followup.models import AlertRule, PermitItem
from yinli.projects.models import FundsInPlace

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(city):
    return {
        "jingkou": followed(city, signed_on=date(2024, 1, 10), district=city.jingkou),
        "jingkai": followed(city, signed_on=date(2024, 1, 10), district=city.jingkai),
    }


def test_an_editor_adds_funds_and_reads_the_ratio(city, api_as, late):
    project = late["jingkou"]
    api = api_as(city.jingkou_editor)
    response = api.post(
        f"/projects/{project.pk}/funds",
        {"on": "2025-02-01", "amount": "0.5亿元", "source": "foreign", "foreign_amount": 700},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["funds_in_place_wan"] == 5000
    assert body["funds_in_place_pct"] == 25
    assert body["entries"][0]["foreign_amount_wan_usd"] == 700
    assert api.get(f"/projects/{project.pk}/funds").json()["foreign_used_wan_usd"] == 700


def test_bad_funds_are_422_naming_the_field(city, api_as, late):
    api = api_as(city.jingkou_editor)
    response = api.post(
        f"/projects/{late['jingkou'].pk}/funds",
        {"on": "2025-02-01", "amount": 0, "source": "own", "foreign_amount": 5},
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"amount", "foreign_amount"}


def test_funds_of_another_district_are_404_and_a_reader_gets_403(city, api_as, late):
    api = api_as(city.jingkou_editor)
    other = late["jingkai"].pk
    assert api.get(f"/projects/{other}/funds").status_code == 404
    assert (
        api.post(f"/projects/{other}/funds", {"on": "2025-02-01", "amount": 1}).status_code == 404
    )
    reader = api_as(city.analyst)
    response = reader.post(f"/projects/{other}/funds", {"on": "2025-02-01", "amount": 1})
    assert response.status_code == 403
    assert not FundsInPlace.objects.exists()


def test_alerts_are_scoped_and_filtered(city, api_as, late):
    rule = AlertRule.objects.get(name="签约未注册")
    body = api_as(city.jingkou_editor).get("/followup/alerts", {"as_of": "2025-08-10"}).json()
    assert body["as_of"] == "2025-08-10"
    assert {a["project"]["id"] for a in body["items"]} == {late["jingkou"].pk}
    alert = body["items"][0]
    assert alert["rule"] == {"id": rule.pk, "name": "签约未注册", "kind": "stage_gap"}
    assert (alert["since"], alert["reached_on"]) == ("2024-07-10", "2024-01-10")
    city_wide = api_as(city.admin).get("/followup/alerts", {"district": "京口区"}).json()
    assert [a["project"]["id"] for a in city_wide["items"]] == [late["jingkou"].pk]
    other_rule = AlertRule.objects.get(name="注册未开工")
    assert api_as(city.admin).get("/followup/alerts", {"rule": other_rule.pk}).json()["count"] == 0
    assert api_as(city.outsider).get("/followup/alerts").json()["count"] == 0


def test_alerts_of_an_unseen_project_are_404(city, api_as, late):
    response = api_as(city.jingkou_editor).get("/followup/alerts", {"project": late["jingkai"].pk})
    assert response.status_code == 404


def test_an_unknown_district_or_rule_is_422(city, api_as):
    response = api_as(city.admin).get("/followup/alerts", {"district": "火星区", "rule": 9999})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"district", "rule"}


def test_rules_are_read_by_everyone(city, api_as):
    body = api_as(city.outsider).get("/followup/rules").json()
    funds = next(r for r in body if r["kind"] == "funds_below")
    assert (funds["from_stage"], funds["months"], funds["funds_pct"]) == ("started", 12, 30)


def test_foreign_capital_by_month(city, api_as, late):
    FundsInPlace.objects.create(
        project=late["jingkou"],
        on=date(2025, 2, 3),
        amount=710,
        source="foreign",
        foreign_amount=100,
    )
    body = (
        api_as(city.admin)
        .get("/followup/foreign-capital", {"date_from": "2025-01-01", "date_to": "2025-03-31"})
        .json()
    )
    assert [m["amount_wan_usd"] for m in body["months"]] == [0, 100, 0]
    assert body["total_wan_usd"] == 100
    jingkai = (
        api_as(city.jingkai_editor)
        .get("/followup/foreign-capital", {"date_from": "2025-01-01", "date_to": "2025-03-31"})
        .json()
    )
    assert jingkai["total_wan_usd"] == 0


def test_permits_are_made_listed_and_updated(city, api_as, late):
    project = late["jingkai"]
    api = api_as(city.jingkai_editor)
    made = api.post(f"/projects/{project.pk}/permits").json()
    assert made["total"] == len(made["items"]) >= 5
    again = api.post(f"/projects/{project.pk}/permits").json()
    assert again["total"] == made["total"]
    item = made["items"][0]
    response = api.patch(
        f"/followup/permits/{item['id']}",
        {"version": item["version"], "status": "done", "done_on": "2025-03-01"},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("done", 2)
    stale = api.patch(f"/followup/permits/{item['id']}", {"version": 1, "note": "x"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


def test_permits_of_another_district_are_404(city, api_as, late):
    project = late["jingkai"]
    api_as(city.jingkai_editor).post(f"/projects/{project.pk}/permits")
    item = PermitItem.objects.filter(project=project).first()
    api = api_as(city.jingkou_editor)
    assert api.get(f"/projects/{project.pk}/permits").status_code == 404
    assert api.post(f"/projects/{project.pk}/permits").status_code == 404
    response = api.patch(f"/followup/permits/{item.pk}", {"version": 1, "note": "x"})
    assert response.status_code == 404
    reader = api_as(city.analyst).patch(f"/followup/permits/{item.pk}", {"version": 1, "note": "x"})
    assert reader.status_code == 403

"""The field-work API: scoped lists and details, writes, the summary, events, channels."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from yinli.core.models import ApiToken

from .helpers import trip, visit

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {ApiToken.for_user(user).key}"})


def test_visits_are_scoped(city):
    own = visit(city, city.team)
    visit(city, city.jingkou)
    body = api(city.team_member).get("/api/v1/fieldwork/visits").json()
    assert [item["id"] for item in body["items"]] == [own.pk]
    assert api(city.jingkou_editor).get(f"/api/v1/fieldwork/visits/{own.pk}").status_code == 404


def test_a_visit_is_logged_and_refused_outside_the_scope(city):
    payload = {
        "visited_on": "2025-06-20",
        "unit": city.team.code,
        "company_name": "上海接口走访科技有限公司",
        "place": "上海浦东",
        "outcome": "new_lead",
        "people": [city.team_member.username],
    }
    created = api(city.team_member).post(
        "/api/v1/fieldwork/visits", payload, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["place"]["code"] == "310115"
    assert created.json()["people"][0]["username"] == city.team_member.username
    refused = api(city.jingkou_editor).post(
        "/api/v1/fieldwork/visits", payload, content_type="application/json"
    )
    assert refused.status_code == 403


def test_a_lead_from_a_visit(city):
    saved = visit(city, city.team, company_name="接口线索企业有限公司")
    response = api(city.jingkai_editor).post(
        f"/api/v1/fieldwork/visits/{saved.pk}/lead",
        {"version": saved.version},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["visit"]["project"] == response.json()["project"]


def test_a_trip_with_its_estimate(city):
    payload = {
        "unit": city.team.code,
        "start_on": "2025-06-02",
        "end_on": "2025-06-04",
        "stops": [{"place": "深圳南山区"}, {"place": "德国慕尼黑"}],
        "reported_km": 3000,
    }
    response = api(city.jingkai_editor).post(
        "/api/v1/fieldwork/trips", payload, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [s["place"]["code"] for s in body["stops"]] == ["440305", "DE-MUNICH"]
    assert body["estimate_km"] > 20000 and body["flagged"] is True


def test_the_summary(city):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["440305", "KR-SEOUL"], km="5000")
    visit(city, city.team)
    response = api(city.jingkai_editor).get(
        "/api/v1/fieldwork/summary", {"unit": "jingkai", "from": "2025-06-01", "to": "2025-06-30"}
    )
    body = response.json()
    assert response.status_code == 200, body
    assert {k: body[k] for k in ("days", "cities", "regions", "visits", "km")} == {
        "days": 2,
        "cities": 2,
        "regions": 2,
        "visits": 1,
        "km": 5000,
    }
    assert body["text"].startswith("2天内奔赴2个重点城市")
    outside = api(city.jingkou_editor).get(
        "/api/v1/fieldwork/summary", {"unit": "jingkai", "from": "2025-06-01", "to": "2025-06-30"}
    )
    assert outside.status_code == 404


def test_channels_and_events_answer(city):
    assert (
        api(city.analyst)
        .get("/api/v1/fieldwork/channels", {"from": "2025-01-01", "to": "2025-06-30"})
        .status_code
        == 200
    )
    assert api(city.analyst).get("/api/v1/fieldwork/events").json()["count"] == 0

"""The targets API: what each persona reads and may set, and the same JSON as the command."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.api.conftest import ApiClient
from yinli.targets.models import Target

pytestmark = pytest.mark.django_db


def api(user):
    return ApiClient(user)


def test_the_figures_are_listed(city):
    keys = [f["key"] for f in api(city.jingkou_editor).get("/targets/figures").json()]
    assert "signed_count" in keys and "in_statistics_investment_yi" in keys


def test_a_district_lists_only_its_own_targets(city, targets):
    rows = api(city.jingkou_editor).get("/targets", {"year": 2025}).json()
    assert {r["unit"]["code"] for r in rows} == {"jingkou"}
    assert api(city.analyst).get("/targets", {"year": 2025}).status_code == 200


def test_another_districts_target_is_404(city, targets):
    other = targets[("jingkai", "signed_count")]
    assert api(city.jingkou_editor).get(f"/targets/{other.pk}").status_code == 404
    assert (
        api(city.jingkou_editor).get("/targets", {"year": 2025, "unit": "jingkai"}).status_code
        == 404
    )


def test_the_city_sets_a_target_and_changes_it_with_its_version(city):
    client = api(city.analyst)
    body = {"year": 2025, "unit": "jingkou", "figure": "signed_count", "annual": 10}
    created = client.post("/targets", body)
    assert created.status_code == 201, created.json()
    version = created.json()["version"]
    changed = client.post("/targets", {**body, "annual": 12, "version": version})
    assert changed.status_code == 200 and changed.json()["annual"] == 12
    stale = client.post("/targets", {**body, "annual": 13, "version": version})
    assert stale.status_code == 409


def test_a_district_may_not_set_a_target(city):
    body = {"year": 2025, "unit": "jingkou", "figure": "signed_count", "annual": 10}
    assert api(city.jingkou_editor).post("/targets", body).status_code == 403
    assert not Target.objects.exists()


def test_a_breakdown_that_does_not_add_up_is_422_naming_the_field(city):
    body = {
        "year": 2025,
        "unit": "jingkou",
        "figure": "signed_investment_yi",
        "annual": "40",
        "breakdown": "quarters",
        "parts": [10, 10, 10, 5],
    }
    response = api(city.admin).post("/targets", body)
    assert response.status_code == 422
    assert "35" in response.json()["fields"]["parts"][0]


def test_progress_is_the_json_of_the_command(city, targets):
    response = api(city.analyst).get("/targets/progress", {"year": 2025, "as_of": "2025-06-30"})
    assert response.status_code == 200
    out = StringIO()
    call_command(
        "targets",
        "progress",
        "--year",
        "2025",
        "--as-of",
        "2025-06-30",
        stdout=out,
        stderr=StringIO(),
    )
    printed = json.loads(out.getvalue())
    assert printed["targets"] == response.json()["targets"]


def test_progress_of_another_district_is_404(city, targets):
    response = api(city.jingkou_editor).get(
        "/targets/progress", {"year": 2025, "as_of": "2025-06-30", "district": "jingkai"}
    )
    assert response.status_code == 404


def test_the_ranking_is_published_to_districts(city, targets, scheme):
    response = api(city.jingkou_editor).get("/targets/ranking", {"period": "2025H1"})
    assert response.status_code == 200
    codes = [r["district"]["code"] for r in response.json()["rows"]]
    assert set(codes) == {"jingkou", "jingkai", "runzhou"}


def test_a_bad_period_is_422_in_chinese(city, scheme):
    response = api(city.analyst).get("/targets/ranking", {"period": "2025X"})
    assert response.status_code == 422
    assert "period" in response.json()["fields"]


def test_the_schemes_are_data(city, scheme):
    schemes = api(city.jingkai_editor).get("/targets/schemes").json()
    assert schemes[0]["items"][0] == {
        "kind": "figure",
        "figure": "signed_count",
        "weight": 30,
        "cap": 1.2,
        "points": None,
        "threshold_yi": None,
    }


def test_the_city_removes_a_target(city, targets):
    target = targets[("jingkou", "signed_count")]
    response = api(city.admin).delete(f"/targets/{target.pk}", {"version": target.version})
    assert response.status_code == 204
    assert not Target.objects.filter(pk=target.pk).exists()


def test_nobody_without_a_token_reads_targets(city, targets):
    assert ApiClient().get("/targets", {"year": 2025}).status_code == 401


def test_the_city_creates_and_changes_a_scheme(city):
    body = {
        "name": "2025年考核办法",
        "is_default": True,
        "items": [
            {"kind": "figure", "figure": "signed_count", "weight": 60, "cap": 1.2},
            {"kind": "late_report", "points": -1},
        ],
    }
    created = api(city.analyst).post("/targets/schemes", body)
    assert created.status_code == 201, created.json()
    scheme = created.json()
    assert [i["kind"] for i in scheme["items"]] == ["figure", "late_report"]
    body["items"] = body["items"][:1]
    changed = api(city.analyst).client.put(
        f"/api/v1/targets/schemes/{scheme['id']}",
        json.dumps({**body, "version": scheme["version"]}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and len(changed.json()["items"]) == 1


def test_a_scheme_item_without_its_weight_is_422(city):
    body = {"name": "办法", "items": [{"kind": "figure", "figure": "signed_count"}]}
    response = api(city.admin).post("/targets/schemes", body)
    assert response.status_code == 422
    assert "权重" in response.json()["fields"]["items"][0]


def test_a_district_may_not_create_a_scheme(city):
    body = {"name": "办法", "items": [{"kind": "late_report", "points": -1}]}
    assert api(city.jingkou_editor).post("/targets/schemes", body).status_code == 403

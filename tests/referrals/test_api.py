"""Referrals, suggestions, evaluations, scorecards and meetings through the API."""

import pytest

from tests.api.conftest import ApiClient
from tests.api.helpers import has_chinese
from tests.referrals.test_evaluations import GOOD
from tests.referrals.test_referrals import refer, target_of
from yinli.referrals.models import Referral


@pytest.fixture
def api(city):
    return lambda user: ApiClient(user)


def test_the_office_gets_suggestions_with_reasons(api, city, ref):
    response = api(ref.office_user).get("/referrals/suggestions", {"lead": ref.lead.pk})
    assert response.status_code == 200
    body = response.json()
    assert [row["district"]["code"] for row in body] == ["jingkai", "runzhou", "jingkou"]
    assert body[0]["score"] == 100
    assert all(has_chinese(reason) for reason in body[0]["reasons"])
    land = api(ref.office_user).get(
        "/referrals/suggestions", {"lead": ref.lead.pk, "land_needed_mu": 400}
    )
    assert land.json()[0]["score"] == 78


def test_a_district_gets_no_suggestions(api, city, ref):
    response = api(city.jingkou_editor).get("/referrals/suggestions", {"lead": ref.lead.pk})
    assert response.status_code == 404


def test_the_office_refers_by_district_codes(api, city, ref):
    response = api(ref.office_user).post(
        "/referrals",
        {"lead": ref.lead.pk, "districts": ["jingkai", "京口区"], "referred_on": "2025-06-02"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {t["district"]["code"] for t in body["targets"]} == {"jingkai", "jingkou"}
    assert body["referring_unit"]["code"] == "beijing-office"
    assert body["targets"][0]["due"] == {
        "acknowledge": "2025-06-03",
        "evaluate": "2025-06-05",
        "feedback": "2025-06-09",
    }
    assert Referral.objects.count() == 1


def test_bad_references_are_422_in_chinese(api, city, ref):
    response = api(ref.office_user).post(
        "/referrals", {"lead": ref.lead.pk, "districts": ["nowhere"]}
    )
    assert response.status_code == 422
    body = response.json()
    assert "nowhere" in body["fields"]["districts"][0]
    assert has_chinese(body["fields"]["districts"][0], besides="nowhere")


def test_a_district_cannot_refer_403(api, city, ref):
    response = api(city.jingkai_editor).post(
        "/referrals", {"lead": ref.lead.pk, "districts": ["jingkou"]}
    )
    assert response.status_code == 403


def test_lists_are_scoped(api, city, ref):
    referral = refer(city, ref)
    mine = api(city.jingkou_editor).get("/referrals").json()
    assert mine["count"] == 1
    assert [t["district"]["code"] for t in mine["items"][0]["targets"]] == ["jingkou"]
    assert api(city.outsider).get("/referrals").json()["count"] == 0
    assert api(city.outsider).get(f"/referrals/{referral.pk}").status_code == 404
    everything = api(city.analyst).get(f"/referrals/{referral.pk}").json()
    assert len(everything["targets"]) == 2


def test_acknowledge_feedback_and_stale_versions(api, city, ref):
    target = target_of(refer(city, ref), city.jingkou)
    client = api(city.jingkou_editor)
    response = client.post(
        f"/referrals/targets/{target.pk}/acknowledge", {"version": target.version}
    )
    assert response.status_code == 200
    assert response.json()["targets"][0]["status"] == "acknowledged"
    stale = client.post(
        f"/referrals/targets/{target.pk}/feedback",
        {"feedback": "accept", "version": target.version},
    )
    assert stale.status_code == 409
    missing_reason = client.post(
        f"/referrals/targets/{target.pk}/feedback",
        {"feedback": "decline", "version": target.version + 1},
    )
    assert missing_reason.status_code == 422
    done = client.post(
        f"/referrals/targets/{target.pk}/feedback",
        {"feedback": "decline", "reason": "用地不足", "version": target.version + 1},
    )
    assert done.status_code == 200
    assert done.json()["targets"][0]["feedback"] == "decline"
    other = target_of(target.referral, city.jingkai)
    assert (
        client.post(f"/referrals/targets/{other.pk}/acknowledge", {"version": 1}).status_code == 404
    )


def test_overdue_takes_today_explicitly(api, city, ref):
    refer(city, ref)
    early = api(city.analyst).get("/referrals/overdue", {"today": "2025-06-03"}).json()
    assert early == []
    late = api(city.jingkou_editor).get("/referrals/overdue", {"today": "2025-06-10"}).json()
    assert [(row["district"]["code"], row["step"]) for row in late] == [
        ("jingkou", "acknowledge"),
        ("jingkou", "evaluate"),
        ("jingkou", "feedback"),
    ]
    assert late[0]["days_late"] == 7


def test_an_evaluation_through_the_api(api, city, ref):
    target = target_of(refer(city, ref), city.jingkai)
    assert (
        api(city.jingkou_editor).post("/evaluations", {"referral_target": target.pk}).status_code
        == 404
    )
    created = api(city.jingkai_editor).post("/evaluations", {"referral_target": target.pk})
    assert created.status_code == 201, created.json()
    evaluation = created.json()
    url = f"/evaluations/{evaluation['id']}"
    scored = api(city.jingkai_editor).post(f"{url}/scores", {"scores": GOOD})
    assert scored.status_code == 200, scored.json()
    api(city.team_member).post(f"{url}/scores", {"scores": {**GOOD, "投资强度": 250}})
    body = api(city.analyst).get(url).json()
    intensity = next(row for row in body["criteria"] if row["criterion"] == "投资强度")
    assert intensity["values"] == {"jkq_editor": 450, "bio_team": 250}
    assert intensity["mean"] == 350
    assert body["complete"] is True
    assert body["failed_thresholds"] == []
    assert set(body["evaluator_totals"]) == {"jkq_editor", "bio_team"}
    bad = api(city.jingkai_editor).post(f"{url}/scores", {"scores": {"带动就业": 3}})
    assert bad.status_code == 422
    forbidden = api(city.jingkou_editor).post(f"{url}/scores", {"scores": GOOD})
    assert forbidden.status_code == 404
    decided = api(city.jingkai_editor).post(
        f"{url}/decision", {"decision": "advance", "version": body["version"]}
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["decision"] == "advance"
    assert decided.json()["total_at_decision"] == body["total"]


def test_scorecards_are_listed(api, city):
    body = api(city.jingkou_editor).get("/scorecards").json()
    default = body[0]
    assert default["is_default"] is True
    assert len(default["criteria"]) == 7
    intensity = default["criteria"][0]
    assert intensity["threshold"] == 300
    assert intensity["bands"][0] == {"lower": None, "upper": 300, "points": 0}


def test_meetings_through_the_api(api, city, ref):
    created = api(city.analyst).post("/meetings", {"title": "6月研判会", "held_on": "2025-06-20"})
    assert created.status_code == 201, created.json()
    url = f"/meetings/{created.json()['id']}"
    item = api(city.analyst).post(
        f"{url}/items",
        {
            "lead": ref.lead.pk,
            "decision": "advance",
            "follow_up_unit": "jingkai",
            "follow_up_person": "周立新",
            "follow_up_due": "2025-07-10",
        },
    )
    assert item.status_code == 200, item.json()
    assert item.json()["items"][0]["follow_up_unit"]["code"] == "jingkai"
    assert api(city.jingkai_editor).get(url).json()["items"][0]["follow_up_person"] == "周立新"
    assert api(city.jingkou_editor).get(url).status_code == 404
    assert (
        api(city.jingkai_editor)
        .post("/meetings", {"title": "x", "held_on": "2025-06-20"})
        .status_code
        == 403
    )


def test_anonymous_gets_401_everywhere(db):
    client = ApiClient()
    for path in ["/referrals", "/referrals/overdue", "/evaluations", "/scorecards", "/meetings"]:
        assert client.get(path).status_code == 401, path


def test_evaluation_lists_are_scoped(api, city, ref):
    target = target_of(refer(city, ref), city.jingkai)
    api(city.jingkai_editor).post("/evaluations", {"referral_target": target.pk})
    assert api(city.jingkai_editor).get("/evaluations").json()["count"] == 1
    assert api(ref.office_user).get("/evaluations").json()["count"] == 1  # its referral
    assert api(city.analyst).get("/evaluations").json()["count"] == 1
    assert api(city.jingkou_editor).get("/evaluations").json()["count"] == 0
    assert api(city.outsider).get("/evaluations").json()["count"] == 0

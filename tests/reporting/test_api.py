"""The report cycle in the API: periods, status, reports, and the steps with their persona rules."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from yinli.reporting import selectors
from yinli.reporting.models import Report, ReportState


@pytest.fixture(autouse=True)
def reference_day(monkeypatch):
    monkeypatch.setattr(selectors, "reference_day", lambda: date(2025, 4, 9))


def test_periods_of_a_year(city, api_as):
    response = api_as(city.jingkou_editor).get("/reporting/periods", {"year": 2024})
    assert response.status_code == 200
    february = response.json()[1]
    assert (february["code"], february["end"], february["deadline"]) == (
        "2024-02",
        "2024-02-29",
        "2024-03-05",
    )
    weeks = api_as(city.analyst).get("/reporting/periods", {"year": 2025, "frequency": "weekly"})
    assert len(weeks.json()) == 52
    bad = api_as(city.analyst).get("/reporting/periods", {"year": 2025, "frequency": "daily"})
    assert bad.status_code == 422


def test_the_whole_cycle_through_the_api(city, api_as):
    project = factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 5))
    editor, analyst = api_as(city.jingkou_editor), api_as(city.analyst)
    response = editor.post("/reporting/reports/2025-03/jingkou/submit", {"note": "三月"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "submitted" and body["projects"][0]["project_id"] == project.pk
    version = body["version"]

    response = analyst.post(
        "/reporting/reports/2025-03/jingkou/return",
        {
            "version": version,
            "comment": "请核实",
            "project_comments": {str(project.pk): "金额不对"},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "returned"
    assert body["projects"][0]["comments"][0]["text"] == "金额不对"

    body = editor.post(
        "/reporting/reports/2025-03/jingkou/submit", {"version": body["version"]}
    ).json()
    body = analyst.post(
        "/reporting/reports/2025-03/jingkou/accept", {"version": body["version"]}
    ).json()
    assert body["state"] == "accepted" and body["locked"] is True
    assert [e["action"] for e in body["log"]] == ["submit", "return", "submit", "accept"]

    stale = analyst.post("/reporting/reports/2025-03/jingkou/reopen", {"version": 1, "reason": "x"})
    assert stale.status_code == 403  # only an admin
    admin = api_as(city.admin)
    stale = admin.post("/reporting/reports/2025-03/jingkou/reopen", {"version": 1, "reason": "x"})
    assert stale.status_code == 409
    reopened = admin.post(
        "/reporting/reports/2025-03/jingkou/reopen",
        {"version": body["version"], "reason": "补录"},
    )
    assert reopened.status_code == 200 and reopened.json()["state"] == "reopened"


def test_status_of_a_period(city, cycle, api_as):
    cycle.accepted(city.jingkou, "2025-03")
    body = api_as(city.analyst).get("/reporting/status", {"period": "2025-03"}).json()
    states = {d["district"]["code"]: d for d in body["districts"]}
    assert states["jingkou"]["state"] == "accepted" and states["jingkou"]["accepted_on"]
    assert states["jingkai"]["overdue"] and states["jingkai"]["days_overdue"] == 4
    mine = api_as(city.jingkai_editor).get("/reporting/status", {"period": "2025-03"}).json()
    assert [d["district"]["code"] for d in mine["districts"]] == ["jingkai"]
    bad = api_as(city.analyst).get("/reporting/status", {"period": "2025-13"})
    assert bad.status_code == 422 and "period" in bad.json()["fields"]


def test_persona_rules(city, cycle, api_as, anonymous):
    cycle.submitted(city.jingkou, "2025-03")
    version = Report.objects.get().version
    assert anonymous.get("/reporting/reports").status_code == 401
    # a district submits only its own, and cannot see another's
    other = api_as(city.jingkai_editor)
    assert other.post("/reporting/reports/2025-03/jingkou/submit", {}).status_code == 404
    assert other.get("/reporting/reports/2025-03/jingkou").status_code == 404
    assert other.get("/reporting/reports").json() == []
    # only the city accepts or returns
    editor = api_as(city.jingkou_editor)
    accept = editor.post("/reporting/reports/2025-03/jingkou/accept", {"version": version})
    assert accept.status_code == 403
    assert (
        editor.post(
            "/reporting/reports/2025-03/jingkou/return", {"version": version, "comment": "x"}
        ).status_code
        == 403
    )
    assert (
        api_as(city.analyst).post("/reporting/reports/2025-03/jingkai/submit", {}).status_code
        == 403
    )
    outsider = api_as(city.outsider)
    assert outsider.get("/reporting/reports").json() == []
    assert outsider.get("/reporting/reports/2025-03/jingkou").status_code == 404
    assert Report.objects.get().state == ReportState.SUBMITTED
    listed = api_as(city.analyst).get("/reporting/reports", {"period": "2025-03"}).json()
    assert [r["district"]["code"] for r in listed] == ["jingkou"]


def test_a_step_in_the_wrong_state_is_422(city, cycle, api_as):
    report = cycle.accepted(city.jingkou, "2025-03")
    response = api_as(city.jingkou_editor).post(
        "/reporting/reports/2025-03/jingkou/submit", {"version": report.version}
    )
    assert response.status_code == 422
    assert "京口区" in response.json()["detail"][0]
    nothing = api_as(city.analyst).post("/reporting/reports/2025-03/jingkai/accept", {"version": 1})
    assert nothing.status_code == 422


def test_a_locked_month_refuses_a_project_edit_in_the_api(city, cycle, api_as):
    project = factories.project(city, district=city.jingkou, signed_on=date(2025, 3, 5))
    cycle.accepted(city.jingkou, "2025-03")
    response = api_as(city.jingkou_editor).patch(
        f"/projects/{project.pk}", {"version": project.version, "total_investment_wan": 9000}
    )
    assert response.status_code == 422
    assert "2025年3月" in " ".join(response.json()["detail"])

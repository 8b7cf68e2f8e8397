"""`yinli cycle status` and `yinli cycle overdue`: JSON alone on stdout, text on request, exit 2
on a usage error, scoped as the acting user."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yinli.reporting import selectors


@pytest.fixture(autouse=True)
def reference_day(monkeypatch):
    monkeypatch.setattr(selectors, "reference_day", lambda: date(2025, 8, 10))


def run(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command("cycle", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_status_as_json(city, cycle):
    cycle.accepted(city.jingkou, "2025-07")
    data = json.loads(run("status", "--period", "2025-07"))
    assert data["period"]["deadline"] == "2025-08-05" and data["as_of"] == "2025-08-10"
    states = {d["district"]["code"]: d for d in data["districts"]}
    assert set(states) == {"jingkou", "jingkai", "runzhou"}
    assert states["jingkou"]["state"] == "accepted"
    assert states["jingkou"]["submitted_on"] == states["jingkou"]["accepted_on"]
    assert states["jingkai"] | {"district": None} == {
        "district": None,
        "period": "2025-07",
        "deadline": "2025-08-05",
        "state": "draft",
        "state_label": states["jingkai"]["state_label"],
        "report_id": None,
        "submitted_on": None,
        "accepted_on": None,
        "days_overdue": 5,
        "overdue": True,
    }


def test_status_as_text_and_for_one_district(city, cycle):
    cycle.submitted(city.jingkou, "2025-07")
    text = run("status", "--period", "2025-07", "--format", "text", "--district", "京口区")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("京口区")


def test_status_is_scoped_as_the_user(city):
    data = json.loads(run("status", "--period", "2025-07", "--user", city.jingkai_editor.username))
    assert [d["district"]["code"] for d in data["districts"]] == ["jingkai"]
    with pytest.raises(CommandError) as error:
        run("status", "--period", "2025-07", "--user", city.jingkai_editor.username,
            "--district", "jingkou")  # fmt: skip
    assert error.value.returncode == 2


@pytest.mark.parametrize("period", ["2025-13", "July"])
def test_a_bad_period_is_a_usage_error(city, period):
    with pytest.raises(CommandError) as error:
        run("status", "--period", period)
    assert error.value.returncode == 2 and "2025-07" in str(error.value)


def test_overdue_text_is_the_notice(city, cycle):
    cycle.submitted(city.jingkou, "2025-07")
    text = run("overdue", "--format", "text")
    assert "镇江经开区：2025年7月月报（截止2025-08-05），已逾期5天" in text
    data = json.loads(run("overdue"))
    assert {d["district"]["code"] for d in data["overdue"]} == {"jingkai", "runzhou"}

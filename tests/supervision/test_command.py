"""`yinli obstacles list|escalate`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yinli.core.models import Notification
from yinli.supervision import services

from .conftest import days, department


def run(*args) -> str:
    out = StringIO()
    call_command("obstacles", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def obstacles(projects):
    for project, title in (
        (projects.jingkou_project, "京口问题"),
        (projects.jingkai_project, "经开区问题"),
    ):
        services.obstacle_raise(
            user=projects.admin,
            project=project,
            title=title,
            category="land",
            department=department(),
            deadline=days(2),
        )
    return projects


def test_list_is_scoped_to_the_acting_user(obstacles):
    assert {r["title"] for r in json.loads(run("list"))} == {"京口问题", "经开区问题"}
    rows = json.loads(run("list", "--user", obstacles.jingkou_editor.username))
    assert [r["title"] for r in rows] == ["京口问题"]
    rows = json.loads(run("list", "--district", "镇江经开区"))
    assert [r["title"] for r in rows] == ["经开区问题"]


def test_escalate_flags_each_overdue_obstacle_once(obstacles):
    rows = json.loads(run("escalate", "--today", days(5).isoformat()))
    assert len(rows) == 2 and all(r["overdue"] for r in rows)
    assert json.loads(run("escalate", "--today", days(6).isoformat())) == []
    assert Notification.objects.filter(recipient_user=obstacles.analyst).count() == 2


def test_a_bad_date_is_a_usage_error(obstacles):
    with pytest.raises(CommandError) as error:
        run("escalate", "--today", "不是日期")
    assert error.value.returncode == 2


def test_an_unknown_district_is_a_usage_error(obstacles):
    with pytest.raises(CommandError) as error:
        run("list", "--district", "火星区")
    assert error.value.returncode == 2

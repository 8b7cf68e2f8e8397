"""The demo city's supervision records (yinli.demo.supervision), on the personas' city."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories
from yinli.core.models import Role
from yinli.demo import supervision as demo
from yinli.projects.models import Project
from yinli.supervision import selectors
from yinli.supervision.models import Instruction, Obstacle, ObstacleStatus, TaskForce

REF = date(2025, 8, 10)


@pytest.fixture
def users(city):
    return {
        "admin": city.admin,
        "analyst": city.analyst,
        "jingkou": city.jingkou_editor,
        "jingkai": city.jingkai_editor,
        "newenergy": city.team_member,
        "beijing": factories.user("bj", Role.TEAM_MEMBER, city.office),
        "leader": factories.user("leader", Role.VIEWER, city.city, display_name="市领导"),
    }


def test_it_writes_task_forces_obstacles_and_instructions_without_touching_projects(city, users):
    majors = [
        factories.project(
            city,
            district=district,
            total_wan="250000",
            signed_on=REF - timedelta(days=30 * n + 40),
            task_force=f"重大项目{n}推进专班",
            linked_leader="副市长 某某",
        )
        for n, district in enumerate([city.jingkou, city.jingkai] * 4)
    ]
    for n in range(40):
        factories.project(city, total_wan="20000", signed_on=REF - timedelta(days=5 * n + 10))
    before = list(Project.objects.order_by("pk").values_list("pk", "version", "updated_at"))
    counts = demo.build(seed=1, reference_date=REF, users=users)
    assert counts["task_forces"] == len(majors) == TaskForce.objects.count()
    assert {t.project_id for t in TaskForce.objects.all()} == {p.pk for p in majors}
    assert TaskForce.objects.filter(linked_leader__username="leader").count() == 6
    assert counts["obstacles"] == Obstacle.objects.count() >= 8
    assert Obstacle.objects.filter(status=ObstacleStatus.CLOSED).exclude(resolution="").exists()
    assert not Obstacle.objects.filter(status=ObstacleStatus.CLOSED, resolution="").exists()
    assert Obstacle.objects.filter(selectors.overdue_q(REF)).exists()
    assert all(o.deadline >= o.raised_on for o in Obstacle.objects.all())
    assert counts["instructions"] == Instruction.objects.count() == 5
    assert Instruction.objects.filter(units__responded_at__isnull=False).exists()
    after = list(Project.objects.order_by("pk").values_list("pk", "version", "updated_at"))
    assert after == before


def test_the_same_seed_writes_the_same_records(city, users):
    for n in range(30):
        factories.project(
            city,
            total_wan="150000",
            signed_on=REF - timedelta(days=7 * n + 10),
            task_force=f"专班{n}",
        )
    demo.build(seed=5, reference_date=REF, users=users)
    first = list(
        Obstacle.objects.order_by("pk").values_list("project_id", "title", "deadline", "status")
    )
    Obstacle.objects.all().delete()
    Instruction.objects.all().delete()
    TaskForce.objects.all().delete()
    demo.build(seed=5, reference_date=REF, users=users)
    again = list(
        Obstacle.objects.order_by("pk").values_list("project_id", "title", "deadline", "status")
    )
    assert again == first

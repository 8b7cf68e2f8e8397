"""Obstacles (要素保障问题): raised on a project, progress noted, closed only with a resolution,
reopened; overdue ones flagged once to the linked leader and the city analysts; counted by
department, district and category in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories
from yinli.core.models import Notification, Role
from yinli.core.services import PermissionDeniedError
from yinli.supervision import selectors, services
from yinli.supervision.models import Obstacle, ObstacleStatus

from .conftest import days, department, today


def raise_one(city, project=None, **extra):
    project = project or city.jingkou_project
    return services.obstacle_raise(
        user=extra.pop(
            "user", city.jingkou_editor if project.district == city.jingkou else city.admin
        ),
        project=project,
        title=extra.pop("title", "能耗指标缺口1.2万吨标煤"),
        category=extra.pop("category", "energy"),
        department=extra.pop("department", department("fgw")),
        deadline=extra.pop("deadline", days(20)),
        **extra,
    )


def test_a_district_raises_an_obstacle_on_its_project(projects):
    obstacle = raise_one(projects)
    assert obstacle.status == ObstacleStatus.OPEN
    assert obstacle.raised_on == today()
    assert obstacle.created_by == projects.jingkou_editor
    assert obstacle.history.count() == 1


def test_a_district_cannot_raise_one_on_another_districts_project(projects):
    with pytest.raises(PermissionDeniedError):
        raise_one(projects, projects.jingkai_project, user=projects.jingkou_editor)


def test_the_city_analysts_raise_obstacles_too(projects):
    obstacle = raise_one(projects, projects.jingkai_project, user=projects.analyst)
    assert obstacle.created_by == projects.analyst


def test_raising_without_department_or_with_a_deadline_before_the_day_raised_is_refused(projects):
    with pytest.raises(ValidationError) as error:
        raise_one(projects, department=None, deadline=days(-1), title=" ")
    assert set(error.value.message_dict) == {"department", "deadline", "title"}


def test_an_obstacle_closes_only_with_a_resolution(projects):
    obstacle = raise_one(projects)
    with pytest.raises(ValidationError) as error:
        services.obstacle_close(user=projects.jingkou_editor, obstacle=obstacle, resolution="  ")
    assert "resolution" in error.value.message_dict
    obstacle.refresh_from_db()
    assert obstacle.status == ObstacleStatus.OPEN
    services.obstacle_close(
        user=projects.jingkou_editor, obstacle=obstacle, resolution="省发改委已调剂能耗指标"
    )
    obstacle.refresh_from_db()
    assert obstacle.status == ObstacleStatus.CLOSED
    assert obstacle.resolution == "省发改委已调剂能耗指标"
    assert obstacle.closed_on == today() and obstacle.closed_by == projects.jingkou_editor


def test_a_closed_obstacle_cannot_be_closed_again_nor_take_progress(projects):
    obstacle = raise_one(projects)
    services.obstacle_close(user=projects.jingkou_editor, obstacle=obstacle, resolution="已解决")
    with pytest.raises(ValidationError):
        services.obstacle_close(user=projects.jingkou_editor, obstacle=obstacle, resolution="再次")
    with pytest.raises(ValidationError):
        services.obstacle_progress(user=projects.jingkou_editor, obstacle=obstacle, text="进展")


def test_reopening_needs_a_reason_and_keeps_it_as_progress(projects):
    obstacle = raise_one(projects)
    services.obstacle_close(user=projects.jingkou_editor, obstacle=obstacle, resolution="已解决")
    with pytest.raises(ValidationError) as error:
        services.obstacle_reopen(user=projects.jingkou_editor, obstacle=obstacle, reason="")
    assert "reason" in error.value.message_dict
    services.obstacle_reopen(
        user=projects.jingkou_editor, obstacle=obstacle, reason="指标被收回", deadline=days(40)
    )
    obstacle.refresh_from_db()
    assert obstacle.status == ObstacleStatus.OPEN
    assert obstacle.resolution == "" and obstacle.closed_on is None
    assert obstacle.deadline == days(40)
    assert "指标被收回" in obstacle.notes.get().text
    resolutions = [h.resolution for h in obstacle.history.all()]
    assert "已解决" in resolutions  # the earlier resolution stays in the history


def test_progress_notes_are_dated_and_signed(projects):
    obstacle = raise_one(projects)
    services.obstacle_progress(
        user=projects.jingkou_editor, obstacle=obstacle, text="已与发改委对接", on=today()
    )
    note = obstacle.notes.get()
    assert (note.on, note.by, note.text) == (today(), projects.jingkou_editor, "已与发改委对接")
    with pytest.raises(ValidationError) as error:
        services.obstacle_progress(
            user=projects.jingkou_editor, obstacle=obstacle, text="明天的事", on=days(3)
        )
    assert "on" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.obstacle_progress(user=projects.jingkou_editor, obstacle=obstacle, text="")


# --- Escalation -------------------------------------------------------------------------------


@pytest.fixture
def leader(projects):
    """The linked leader of 京口's project, a city-level viewer with a login."""
    person = factories.user("vice_mayor", Role.VIEWER, projects.city, display_name="李副市长")
    services.task_force_save(
        user=projects.jingkou_editor,
        project=projects.jingkou_project,
        lead=projects.jingkou_editor,
        linked_leader=person,
    )
    return person


def test_an_overdue_obstacle_is_flagged_to_the_leader_and_the_analysts_once(projects, leader):
    obstacle = raise_one(projects, deadline=days(5))
    late = raise_one(projects, title="土地征收未完成", category="land", deadline=days(1))
    assert services.escalate_overdue(today=days(1)) == []  # due today is not yet overdue
    escalated = services.escalate_overdue(today=days(2))
    assert [o.pk for o in escalated] == [late.pk]
    recipients = set(Notification.objects.values_list("recipient_user__username", flat=True))
    assert recipients == {"vice_mayor", projects.analyst.username}
    assert all("土地征收未完成" in n.text for n in Notification.objects.all())
    assert services.escalate_overdue(today=days(3)) == []  # once per obstacle
    assert Notification.objects.count() == 2
    assert services.escalate_overdue(today=days(6)) == [obstacle]
    assert Notification.objects.count() == 4


def test_a_closed_obstacle_is_never_flagged(projects, leader):
    obstacle = raise_one(projects, deadline=days(1))
    services.obstacle_close(user=projects.jingkou_editor, obstacle=obstacle, resolution="已解决")
    assert services.escalate_overdue(today=days(10)) == []
    assert Notification.objects.count() == 0


def test_without_a_linked_leader_login_only_the_analysts_hear_of_it(projects):
    raise_one(projects, deadline=days(1))
    services.escalate_overdue(today=days(5))
    assert list(Notification.objects.values_list("recipient_user", flat=True)) == [
        projects.analyst.pk
    ]


def test_the_list_page_flags_overdue_obstacles_and_escalates_them(projects, as_user):
    obstacle = raise_one(projects)
    Obstacle.objects.filter(pk=obstacle.pk).update(deadline=days(-1), raised_on=days(-30))
    response = as_user(projects.jingkou_editor).get(reverse("supervision:obstacles"))
    html = response.content.decode()
    assert f'id="obstacle-{obstacle.pk}" class="table-danger"' in html
    obstacle.refresh_from_db()
    assert obstacle.escalated_at is not None
    assert Notification.objects.filter(recipient_user=projects.analyst).count() == 1
    as_user(projects.analyst).get(reverse("supervision:obstacles"))
    assert Notification.objects.filter(recipient_user=projects.analyst).count() == 1


# --- Counts -----------------------------------------------------------------------------------


def test_counts_by_department_district_and_category_match_a_hand_count(projects):
    fgw, zrzy = department("fgw"), department("zrzy")
    a = raise_one(projects, department=fgw, category="energy")
    raise_one(projects, department=zrzy, category="land", deadline=days(3))
    c = raise_one(projects, projects.jingkai_project, department=zrzy, category="land")
    d = raise_one(projects, projects.jingkai_project, department=fgw, category="approval")
    services.obstacle_close(user=projects.admin, obstacle=c, resolution="土地已挂牌")
    Obstacle.objects.filter(pk__in=[a.pk, d.pk]).update(raised_on=days(-20), deadline=days(-1))
    scoped = selectors.obstacles_for_list(user=projects.analyst, today=today())
    by_department = {
        r["name"]: (r["open"], r["overdue"], r["closed"])
        for r in selectors.obstacle_counts(scoped, by="department", today=today())
    }
    assert by_department == {fgw.name: (2, 2, 0), zrzy.name: (1, 0, 1)}
    by_district = {
        r["name"]: (r["open"], r["overdue"], r["closed"])
        for r in selectors.obstacle_counts(scoped, by="district", today=today())
    }
    assert by_district == {"京口区": (2, 1, 0), "镇江经开区": (1, 1, 1)}
    by_category = {
        r["key"]: (r["open"], r["overdue"], r["closed"])
        for r in selectors.obstacle_counts(scoped, by="category", today=today())
    }
    assert by_category == {"energy": (1, 1, 0), "land": (1, 0, 1), "approval": (1, 1, 0)}
    assert selectors.obstacle_totals(scoped, today=today()) == {
        "open": 3,
        "closed": 1,
        "overdue": 2,
        "total": 4,
    }


def test_a_district_counts_only_its_own(projects):
    raise_one(projects)
    raise_one(projects, projects.jingkai_project)
    scoped = selectors.obstacles_for_list(user=projects.jingkou_editor, today=today())
    assert selectors.obstacle_totals(scoped, today=today())["total"] == 1
    outsider = selectors.obstacles_for_list(user=projects.outsider, today=today())
    assert outsider.count() == 0


# --- Pages ------------------------------------------------------------------------------------


def test_the_list_page_shows_counts_and_filters(projects, as_user):
    raise_one(projects, title="用地报批滞后", category="land", department=department("zrzy"))
    raise_one(projects, projects.jingkai_project, title="环评批复未下", category="environment")
    client = as_user(projects.analyst)
    html = client.get(reverse("supervision:obstacles")).content.decode()
    assert "用地报批滞后" in html and "环评批复未下" in html
    assert 'id="counts-department"' in html and 'id="counts-district"' in html
    html = client.get(reverse("supervision:obstacles") + "?category=land").content.decode()
    assert "用地报批滞后" in html and "环评批复未下" not in html
    html = client.get(
        reverse("supervision:obstacles") + f"?district={projects.jingkai.pk}"
    ).content.decode()
    assert "环评批复未下" in html and "用地报批滞后" not in html


def test_a_district_does_not_list_another_districts_obstacles(projects, as_user):
    raise_one(projects, projects.jingkai_project, title="经开区的问题")
    html = as_user(projects.jingkou_editor).get(reverse("supervision:obstacles")).content.decode()
    assert "经开区的问题" not in html


@pytest.mark.parametrize("persona", ["jingkai_editor", "outsider"])
def test_a_guessed_obstacle_url_is_404(projects, as_user, persona):
    obstacle = raise_one(projects)
    client = as_user(getattr(projects, persona))
    assert client.get(reverse("supervision:obstacle", args=[obstacle.pk])).status_code == 404
    response = client.post(
        reverse("supervision:obstacle-close", args=[obstacle.pk]), {"resolution": "x"}
    )
    assert response.status_code == 404
    obstacle.refresh_from_db()
    assert obstacle.is_open


def test_a_viewer_of_the_district_reads_but_may_not_close(projects, as_user):
    viewer = factories.user("jk_viewer", Role.VIEWER, projects.jingkou)
    obstacle = raise_one(projects)
    client = as_user(viewer)
    assert client.get(reverse("supervision:obstacle", args=[obstacle.pk])).status_code == 200
    response = client.post(
        reverse("supervision:obstacle-close", args=[obstacle.pk]), {"resolution": "x"}
    )
    assert response.status_code == 403


def test_raise_progress_close_and_reopen_through_the_pages(projects, as_user):
    project = projects.jingkou_project
    client = as_user(projects.jingkou_editor)
    response = client.post(
        reverse("supervision:obstacle-create", args=[project.pk]),
        {
            "title": "电力增容未落实",
            "category": "utilities",
            "department": department("power").pk,
            "deadline": days(15).isoformat(),
        },
    )
    obstacle = Obstacle.objects.get()
    assert response["Location"] == reverse("supervision:obstacle", args=[obstacle.pk])
    client.post(
        reverse("supervision:obstacle-progress", args=[obstacle.pk]), {"text": "供电公司已现场踏勘"}
    )
    assert obstacle.notes.get().text == "供电公司已现场踏勘"
    response = client.post(
        reverse("supervision:obstacle-close", args=[obstacle.pk]), {"resolution": ""}, follow=True
    )
    obstacle.refresh_from_db()
    assert obstacle.is_open
    assert response.status_code == 200 and "alert" in response.content.decode()
    client.post(
        reverse("supervision:obstacle-close", args=[obstacle.pk]),
        {"resolution": "新建专线已送电", "version": obstacle.version},
    )
    obstacle.refresh_from_db()
    assert not obstacle.is_open
    client.post(
        reverse("supervision:obstacle-reopen", args=[obstacle.pk]),
        {"reason": "负荷仍不足", "version": obstacle.version},
    )
    obstacle.refresh_from_db()
    assert obstacle.is_open


def test_a_stale_close_is_refused(projects, as_user):
    obstacle = raise_one(projects)
    stale = obstacle.version
    services.obstacle_progress(user=projects.jingkou_editor, obstacle=obstacle, text="进展")
    as_user(projects.jingkou_editor).post(
        reverse("supervision:obstacle-close", args=[obstacle.pk]),
        {"resolution": "已解决", "version": stale},
    )
    obstacle.refresh_from_db()
    assert obstacle.is_open


def test_raising_with_errors_shows_them_on_the_form(projects, as_user):
    response = as_user(projects.jingkou_editor).post(
        reverse("supervision:obstacle-create", args=[projects.jingkou_project.pk]),
        {
            "title": "问题",
            "category": "land",
            "department": department().pk,
            "deadline": (today() - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "id_deadline_errors" in response.content.decode()
    assert Obstacle.objects.count() == 0


def test_a_reopened_obstacle_is_not_flagged_a_second_time(projects, leader):
    obstacle = raise_one(projects, deadline=days(1))
    assert services.escalate_overdue(today=days(3)) == [obstacle]
    obstacle.refresh_from_db()
    services.obstacle_close(user=projects.jingkou_editor, obstacle=obstacle, resolution="已解决")
    services.obstacle_reopen(user=projects.jingkou_editor, obstacle=obstacle, reason="反复")
    assert services.escalate_overdue(today=days(9)) == []
    assert Notification.objects.count() == 2


def test_the_edit_form_changes_department_and_deadline(projects, as_user):
    obstacle = raise_one(projects)
    response = as_user(projects.jingkou_editor).post(
        reverse("supervision:obstacle-edit", args=[obstacle.pk]),
        {
            "title": "用地报批滞后",
            "category": "land",
            "department": department("zrzy").pk,
            "deadline": days(40).isoformat(),
            "version": obstacle.version,
        },
    )
    assert response.status_code == 302
    obstacle.refresh_from_db()
    assert (obstacle.title, obstacle.department.code, obstacle.deadline) == (
        "用地报批滞后",
        "zrzy",
        days(40),
    )
    assert obstacle.history.count() == 2

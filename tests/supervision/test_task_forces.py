"""Task forces (一项目一专班): lead, members from several units, the linked leader; the project's
text fields follow; their projects on the home page of each of them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories
from yinli.core.models import Role
from yinli.core.services import PermissionDeniedError
from yinli.supervision import scoping, services
from yinli.supervision.models import TaskForce


@pytest.fixture
def leader(projects):
    return factories.user("vice_mayor", Role.VIEWER, projects.city, display_name="李副市长")


def test_a_task_force_with_members_from_several_units_follows_into_the_project(projects, leader):
    project = projects.jingkai_project
    task_force = services.task_force_save(
        user=projects.jingkai_editor,
        project=project,
        name="医疗器械项目推进专班",
        lead=projects.jingkai_editor,
        members=[projects.team_member, projects.analyst],
        linked_leader=leader,
    )
    assert set(task_force.members.all()) == {projects.team_member, projects.analyst}
    project.refresh_from_db()
    assert project.task_force == "医疗器械项目推进专班"
    assert project.linked_leader == "李副市长"
    assert project.history.first().history_user == projects.jingkai_editor


def test_saving_again_changes_the_same_task_force(projects):
    project = projects.jingkai_project
    first = services.task_force_save(
        user=projects.jingkai_editor, project=project, lead=projects.jingkai_editor
    )
    second = services.task_force_save(
        user=projects.jingkai_editor,
        project=project,
        lead=projects.team_member,
        linked_leader_name="王副市长",
        version=first.version,
    )
    assert second.pk == first.pk and TaskForce.objects.count() == 1
    project.refresh_from_db()
    assert project.linked_leader == "王副市长"
    assert "推进" in project.task_force or project.task_force.endswith("专班") or project.task_force


def test_a_lead_is_required(projects):
    with pytest.raises(ValidationError) as error:
        services.task_force_save(
            user=projects.jingkai_editor, project=projects.jingkai_project, lead=None
        )
    assert "lead" in error.value.message_dict


def test_another_district_cannot_set_one_up(projects):
    with pytest.raises(PermissionDeniedError):
        services.task_force_save(
            user=projects.jingkou_editor,
            project=projects.jingkai_project,
            lead=projects.jingkou_editor,
        )


def test_members_and_the_leader_see_it_and_its_projects_on_their_home_page(
    projects, leader, as_user
):
    services.task_force_save(
        user=projects.jingkai_editor,
        project=projects.jingkai_project,
        lead=projects.jingkai_editor,
        members=[projects.jingkou_editor],
        linked_leader=leader,
    )
    for person in (projects.jingkai_editor, projects.jingkou_editor, leader):
        html = as_user(person).get("/").content.decode()
        assert 'id="task-forces-panel"' in html, person
        assert "经开区高端医疗器械项目" in html
    # A member from another district sees the task force, though not the whole ledger.
    assert scoping.visible_task_forces(projects.jingkou_editor).count() == 1
    html = as_user(projects.outsider).get("/").content.decode()
    assert 'id="task-forces-panel"' not in html


def test_the_task_force_page_saves_it(projects, as_user):
    project = projects.jingkai_project
    client = as_user(projects.jingkai_editor)
    url = reverse("supervision:taskforce-edit", args=[project.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "医疗器械专班",
            "lead": projects.jingkai_editor.pk,
            "members": [projects.team_member.pk],
            "linked_leader_name": "张副市长",
        },
    )
    assert response.status_code == 302
    assert TaskForce.objects.get().name == "医疗器械专班"
    html = client.get(reverse("supervision:taskforces")).content.decode()
    assert "医疗器械专班" in html and "张副市长" in html


@pytest.mark.parametrize("persona", ["jingkou_editor", "outsider"])
def test_the_task_force_page_of_another_districts_project_is_404(projects, as_user, persona):
    url = reverse("supervision:taskforce-edit", args=[projects.jingkai_project.pk])
    assert as_user(getattr(projects, persona)).get(url).status_code == 404

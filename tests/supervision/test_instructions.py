"""Leaders' instructions (批示): entered by the leader's office, assigned to units, each unit
reports back, marked done by the office once all have; overdue ones stand out."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories
from yinli.core.models import Notification, Role
from yinli.core.services import PermissionDeniedError
from yinli.supervision import scoping, selectors, services
from yinli.supervision.models import Instruction, InstructionStatus

from .conftest import days, today


def give(city, **extra):
    return services.instruction_create(
        user=extra.pop("user", city.analyst),
        text=extra.pop("text", "请京口区、经开区协同推进，月底前报进展。"),
        issued_on=extra.pop("issued_on", today()),
        deadline=extra.pop("deadline", days(14)),
        units=extra.pop("units", [city.jingkou, city.bureau]),
        leader_name=extra.pop("leader_name", "王市长"),
        **extra,
    )


def test_the_office_enters_an_instruction_and_the_units_hear_of_it(projects):
    instruction = give(projects, project=projects.jingkou_project)
    assert instruction.status == InstructionStatus.OPEN
    assert {a.unit for a in instruction.units.all()} == {projects.jingkou, projects.bureau}
    units = set(Notification.objects.values_list("recipient_unit", flat=True))
    assert units == {projects.jingkou.pk, projects.bureau.pk}


def test_a_district_cannot_enter_instructions(projects):
    with pytest.raises(PermissionDeniedError):
        give(projects, user=projects.jingkou_editor, matter="招商推介")


def test_an_instruction_needs_a_project_or_a_matter_units_and_a_sane_deadline(projects):
    with pytest.raises(ValidationError) as error:
        give(projects, units=[], deadline=days(-3), leader_name="")
    assert set(error.value.message_dict) == {"matter", "units", "deadline", "leader"}


def test_each_unit_reports_back_for_itself_only(projects):
    instruction = give(projects, matter="新能源产业链招商")
    jingkou_part = instruction.units.get(unit=projects.jingkou)
    bureau_part = instruction.units.get(unit=projects.bureau)
    services.instruction_respond(
        user=projects.jingkou_editor, assignment=jingkou_part, response="已召开专题会"
    )
    with pytest.raises(PermissionDeniedError):
        services.instruction_respond(
            user=projects.jingkou_editor, assignment=bureau_part, response="代为回复"
        )
    # 经开区's editor answers for the bureau under 经开区.
    services.instruction_respond(
        user=projects.jingkai_editor, assignment=bureau_part, response="已对接企业"
    )
    bureau_part.refresh_from_db()
    assert bureau_part.responded_by == projects.jingkai_editor


def test_it_is_marked_done_by_the_office_only_once_every_unit_reported(projects):
    instruction = give(projects, matter="新能源产业链招商")
    jingkou_part = instruction.units.get(unit=projects.jingkou)
    bureau_part = instruction.units.get(unit=projects.bureau)
    services.instruction_respond(
        user=projects.jingkou_editor, assignment=jingkou_part, response="已办"
    )
    with pytest.raises(ValidationError) as error:
        services.instruction_done(user=projects.analyst, instruction=instruction)
    assert projects.bureau.name in error.value.messages[0]
    services.instruction_respond(
        user=projects.jingkai_editor, assignment=bureau_part, response="已办"
    )
    with pytest.raises(PermissionDeniedError):
        services.instruction_done(user=projects.jingkou_editor, instruction=instruction)
    services.instruction_done(user=projects.analyst, instruction=instruction, note="办结")
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.DONE and instruction.done_by == projects.analyst
    with pytest.raises(ValidationError):
        services.instruction_respond(
            user=projects.jingkou_editor, assignment=jingkou_part, response="补充"
        )


def test_the_leader_who_gave_it_may_mark_it_done(projects):
    leader = factories.user("mayor", Role.VIEWER, projects.city)
    instruction = give(
        projects, leader=leader, leader_name="", units=[projects.jingkou], matter="x"
    )
    services.instruction_respond(
        user=projects.jingkou_editor, assignment=instruction.units.get(), response="已办"
    )
    services.instruction_done(user=leader, instruction=instruction)
    assert Instruction.objects.get().status == InstructionStatus.DONE


def test_overdue_instructions_stand_out(projects, as_user):
    late = give(projects, matter="逾期事项", issued_on=days(-20), deadline=days(-1))
    give(projects, matter="未到期事项")
    totals = selectors.instruction_totals(Instruction.objects.all(), today=today())
    assert totals == {"open": 2, "done": 0, "overdue": 1}
    html = as_user(projects.analyst).get(reverse("supervision:instructions")).content.decode()
    assert f'id="instruction-{late.pk}" class="table-danger"' in html
    html = (
        as_user(projects.analyst)
        .get(reverse("supervision:instructions") + "?status=overdue")
        .content.decode()
    )
    assert "逾期事项" in html and "未到期事项" not in html


def test_who_sees_which_instruction(projects):
    to_jingkou = give(projects, units=[projects.jingkou], matter="京口事项")
    to_bureau = give(projects, units=[projects.bureau], matter="招商局事项")
    on_project = give(projects, units=[projects.city], project=projects.jingkai_project, matter="")

    def seen(user):
        return set(scoping.visible_instructions(user).values_list("pk", flat=True))

    assert seen(projects.analyst) == {to_jingkou.pk, to_bureau.pk, on_project.pk}
    assert seen(projects.jingkou_editor) == {to_jingkou.pk}
    assert seen(projects.jingkai_editor) == {to_bureau.pk, on_project.pk}
    assert seen(projects.team_member) == {on_project.pk}
    assert seen(projects.outsider) == set()


def test_the_pages_respond_and_mark_done(projects, as_user):
    instruction = give(projects, units=[projects.jingkou], matter="重点项目推进")
    assignment = instruction.units.get()
    district = as_user(projects.jingkou_editor)
    url = reverse("supervision:instruction", args=[instruction.pk])
    assert "respond-form" in district.get(url).content.decode()
    district.post(
        reverse("supervision:instruction-respond", args=[assignment.pk]),
        {"response": "已完成签约前置审批", "version": assignment.version},
    )
    assignment.refresh_from_db()
    assert assignment.response == "已完成签约前置审批"
    office = as_user(projects.analyst)
    assert 'id="done-card"' in office.get(url).content.decode()
    office.post(
        reverse("supervision:instruction-done", args=[instruction.pk]),
        {"version": instruction.version},
    )
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.DONE


def test_the_office_enters_one_through_the_page(projects, as_user):
    response = as_user(projects.analyst).post(
        reverse("supervision:instruction-create"),
        {
            "text": "务必在月底前解决用地问题。",
            "issued_on": today().isoformat(),
            "leader_name": "王市长",
            "project": projects.jingkou_project.pk,
            "units": [projects.jingkou.pk],
            "deadline": days(10).isoformat(),
        },
    )
    instruction = Instruction.objects.get()
    assert response["Location"] == reverse("supervision:instruction", args=[instruction.pk])


@pytest.mark.parametrize("persona", ["jingkou_editor", "outsider"])
def test_a_guessed_instruction_url_is_404(projects, as_user, persona):
    instruction = give(projects, units=[projects.bureau], matter="经开区事项")
    client = as_user(getattr(projects, persona))
    assert client.get(reverse("supervision:instruction", args=[instruction.pk])).status_code == 404
    assignment = instruction.units.get()
    response = client.post(
        reverse("supervision:instruction-respond", args=[assignment.pk]), {"response": "x"}
    )
    assert response.status_code == 404


def test_a_district_may_not_open_the_entry_page(projects, as_user):
    response = as_user(projects.jingkou_editor).get(reverse("supervision:instruction-create"))
    assert response.status_code == 403

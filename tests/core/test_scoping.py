"""The one scoping helper, persona by persona (DESIGN.md: "One way to scope data")."""

from tests import factories
from yinli.core import scoping
from yinli.projects.models import Project


def visible_ids(user):
    return set(scoping.visible_projects(user).values_list("id", flat=True))


def changeable_ids(user):
    return set(scoping.changeable_projects(user).values_list("id", flat=True))


def test_city_roles_see_every_district(city):
    a = factories.project(city, district=city.jingkou)
    b = factories.project(city, district=city.jingkai)
    assert visible_ids(city.admin) == {a.id, b.id}
    assert visible_ids(city.analyst) == {a.id, b.id}


def test_the_analyst_reads_but_changes_nothing(city):
    factories.project(city, district=city.jingkou)
    assert changeable_ids(city.analyst) == set()


def test_a_district_editor_sees_only_her_district(city):
    own = factories.project(city, district=city.jingkou)
    factories.project(city, district=city.jingkai)
    assert visible_ids(city.jingkou_editor) == {own.id}
    assert changeable_ids(city.jingkou_editor) == {own.id}


def test_it_refuses_other_district_on_a_single_record(city):
    other = factories.project(city, district=city.jingkai)
    assert not scoping.can_see_project(city.jingkou_editor, other)
    assert not scoping.can_change_project(city.jingkou_editor, other)


def test_a_team_member_changes_her_teams_projects_and_reads_her_district(city):
    team_project = factories.project(city, district=city.jingkai, responsible_unit=city.team)
    district_project = factories.project(city, district=city.jingkai)
    factories.project(city, district=city.jingkou)
    assert visible_ids(city.team_member) == {team_project.id, district_project.id}
    assert changeable_ids(city.team_member) == {team_project.id}


def test_a_district_that_does_not_share_hides_its_ledger_from_teams(city):
    team_project = factories.project(city, district=city.jingkai, responsible_unit=city.team)
    factories.project(city, district=city.jingkai)
    city.jingkai.shares_with_subunits = False
    city.jingkai.save()
    city.team_member.refresh_from_db()
    assert visible_ids(city.team_member) == {team_project.id}


def test_an_outsider_sees_nothing_of_other_districts(city):
    factories.project(city, district=city.jingkou)
    factories.project(city, district=city.jingkai)
    assert visible_ids(city.outsider) == set()
    assert changeable_ids(city.outsider) == set()


def test_an_inactive_user_sees_nothing(city):
    factories.project(city, district=city.jingkou)
    city.admin.is_active = False
    assert visible_ids(city.admin) == set()


def test_soft_deleted_projects_leave_every_list(city):
    gone = factories.project(city, district=city.jingkou)
    Project.objects.filter(pk=gone.pk).update(deleted_at="2025-05-01T00:00:00+08:00")
    assert gone.id not in visible_ids(city.admin)


def test_districts_for_entry_follow_the_role(city):
    assert set(scoping.districts_for_entry(city.jingkou_editor)) == {city.jingkou}
    assert city.jingkai in set(scoping.districts_for_entry(city.admin))
    assert not scoping.districts_for_entry(city.analyst).exists()


def test_only_those_who_enter_projects_add_companies(city):
    assert scoping.can_create_company(city.jingkou_editor)
    assert scoping.can_create_company(city.team_member)
    assert scoping.can_create_company(city.admin)
    assert not scoping.can_create_company(city.analyst)
    assert not scoping.can_create_company(city.outsider)

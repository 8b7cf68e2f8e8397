"""Target lists: saved from a node's ranking, belonging to a team, exported, turned into leads."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from yinli.chains import scoping, target_lists
from yinli.chains.models import CompanyNode, Relationship, TargetList
from yinli.core.services import PermissionDeniedError
from yinli.fieldwork.models import Outcome, Visit
from yinli.projects.models import Project, Stage

pytestmark = pytest.mark.django_db


def target(name, node, region="310115", score="1", **extra):
    company = factories.company(name, region=region, **extra)
    CompanyNode.objects.create(company=company, node=node, score=Decimal(score))
    return company


@pytest.fixture
def companies(test_chain):
    return [
        target("上海甲储能科技有限公司", test_chain.cells, score="2"),
        target("苏州乙储能科技有限公司", test_chain.cells, region="320505"),
        target("北京丙储能科技有限公司", test_chain.cells, region="110105"),
    ]


def saved_list(city, test_chain, companies, team=None, by=None):
    return target_lists.target_list_create(
        node=test_chain.cells,
        team=team or city.team,
        company_ids=[c.pk for c in companies],
        by=by or city.analyst,
        name="储能电芯第一批",
    )


def test_a_list_keeps_the_chosen_targets_in_rank_order_with_their_parts(
    city, test_chain, companies
):
    saved = saved_list(city, test_chain, [companies[2], companies[0]])
    items = list(saved.items.order_by("rank"))
    assert [i.company for i in items] == [companies[0], companies[2]]
    assert items[0].parts["fit"] == "20.0"
    assert items[0].score > items[1].score
    assert saved.team == city.team and saved.version == 1


def test_a_company_that_is_not_a_target_is_refused(city, test_chain, companies):
    local = factories.company("镇江本地电芯有限公司", region="321102")
    CompanyNode.objects.create(company=local, node=test_chain.cells, score=1)
    with pytest.raises(ValidationError, match="镇江本地电芯有限公司"):
        saved_list(city, test_chain, [companies[0], local])
    assert not TargetList.objects.exists()


def test_an_empty_choice_is_refused(city, test_chain, companies):
    with pytest.raises(ValidationError):
        saved_list(city, test_chain, [])


def test_a_team_member_assigns_lists_to_her_own_team_only(city, test_chain, companies):
    saved_list(city, test_chain, companies[:1], by=city.team_member)
    with pytest.raises(PermissionDeniedError):
        saved_list(city, test_chain, companies[:1], team=city.jingkou, by=city.team_member)


def test_a_district_editor_assigns_lists_within_her_district(city, test_chain, companies):
    saved_list(city, test_chain, companies[:1], team=city.team, by=city.jingkai_editor)
    with pytest.raises(PermissionDeniedError):
        saved_list(city, test_chain, companies[:1], team=city.team, by=city.jingkou_editor)


def test_an_outsider_makes_no_list(city, test_chain, companies):
    assert not scoping.may_make_target_lists(city.outsider)
    with pytest.raises(PermissionDeniedError):
        saved_list(city, test_chain, companies[:1], by=city.outsider)


# --- persona rules: target lists belong to teams ----------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("admin", True),
        ("analyst", True),
        ("jingkai_editor", True),
        ("team_member", True),
        ("jingkou_editor", False),
        ("outsider", False),
    ],
)
def test_a_teams_list_is_seen_by_the_team_its_district_and_the_city(
    city, test_chain, companies, persona, sees
):
    saved = saved_list(city, test_chain, companies)
    user = getattr(city, persona)
    assert scoping.visible_target_lists(user).filter(pk=saved.pk).exists() is sees


def test_a_list_of_another_district_is_not_seen_by_the_team(city, test_chain, companies):
    saved = saved_list(city, test_chain, companies, team=city.jingkou)
    assert not scoping.visible_target_lists(city.team_member).filter(pk=saved.pk).exists()
    assert scoping.visible_target_lists(city.jingkou_editor).filter(pk=saved.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("team_member", 200), ("jingkou_editor", 404), ("outsider", 404)],
)
def test_guessed_list_urls_404_outside_the_scope(
    city, test_chain, companies, as_user, persona, status
):
    saved = saved_list(city, test_chain, companies)
    client = as_user(getattr(city, persona))
    assert client.get(reverse("chains:target_list", args=[saved.pk])).status_code == status
    export = client.get(reverse("chains:target_list_export", args=[saved.pk]))
    assert export.status_code == status


def test_the_list_pages_show_mine_my_teams_and_all(city, test_chain, companies, as_user):
    saved_list(city, test_chain, companies[:1], by=city.analyst)
    own = saved_list(city, test_chain, companies[1:2], by=city.team_member)
    own.name = "小分队自己的清单"
    own.save()
    client = as_user(city.team_member)
    mine = client.get(reverse("chains:target_lists") + "?scope=mine").content.decode()
    assert "小分队自己的清单" in mine and "储能电芯第一批" not in mine
    team = client.get(reverse("chains:target_lists") + "?scope=team").content.decode()
    assert "小分队自己的清单" in team and "储能电芯第一批" in team
    outsider = as_user(city.outsider).get(reverse("chains:target_lists")).content.decode()
    assert "储能电芯第一批" not in outsider


# --- follow-up: visits, projects, leads ------------------------------------------------


def test_the_list_shows_which_targets_were_visited_and_became_projects(city, test_chain, companies):
    saved = saved_list(city, test_chain, companies)
    Visit.objects.create(
        visited_on=date(2025, 6, 3),
        unit=city.team,
        company=companies[1],
        outcome=Outcome.NEW_LEAD if hasattr(Outcome, "NEW_LEAD") else Outcome.values[0],
    )
    factories.project(city, company=companies[2], stage=Stage.NEGOTIATING, signed_on=None)
    rows = {r.company: r for r in target_lists.list_rows(target_list=saved, user=city.admin)}
    assert rows[companies[1]].visits == 1 and rows[companies[1]].visited_on == date(2025, 6, 3)
    assert rows[companies[0]].visits == 0
    assert rows[companies[2]].projects and not rows[companies[0]].projects
    assert target_lists.list_summary(list(rows.values())) == {
        "targets": 3,
        "visited": 1,
        "projects": 1,
    }
    # A viewer outside the district sees neither the visit nor the project.
    hidden = target_lists.list_rows(target_list=saved, user=city.jingkou_editor)
    assert not any(r.visits or r.projects for r in hidden)


def test_a_target_becomes_a_lead_in_one_step(city, test_chain, companies):
    saved = saved_list(city, test_chain, companies)
    item = saved.items.get(company=companies[0])
    project = target_lists.target_make_lead(item=item, by=city.team_member)
    assert project.stage == Stage.LEAD
    assert project.company == companies[0]
    assert project.district == city.jingkai
    assert project.responsible_unit == city.team
    assert project.industry == city.industry
    item.refresh_from_db()
    assert item.project == project
    with pytest.raises(ValidationError):
        target_lists.target_make_lead(item=item, by=city.team_member)
    assert Project.objects.filter(company=companies[0]).count() == 1


def test_a_lead_from_a_tied_target_comes_through_yishang_yinshang(city, test_chain, companies):
    local = factories.company("镇江本地配套有限公司", region="321102")
    Relationship.objects.create(company=companies[1], other=local, kind="supplier")
    saved = saved_list(city, test_chain, companies)
    project = target_lists.target_make_lead(
        item=saved.items.get(company=companies[1]), by=city.team_member
    )
    assert project.channel.name == "以商引商"


def test_only_those_who_change_the_list_make_leads(city, test_chain, companies):
    saved = saved_list(city, test_chain, companies)
    with pytest.raises(PermissionDeniedError):
        target_lists.target_make_lead(item=saved.items.first(), by=city.jingkou_editor)


def test_the_lead_button_makes_a_project(city, test_chain, companies, as_user):
    saved = saved_list(city, test_chain, companies)
    item = saved.items.get(company=companies[0])
    client = as_user(city.team_member)
    response = client.post(reverse("chains:target_item_lead", args=[saved.pk, item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.project.company == companies[0]
    page = client.get(reverse("chains:target_list", args=[saved.pk])).content.decode()
    assert item.project.name in page


def test_the_export_holds_every_target_with_its_score_parts(city, test_chain, companies, as_user):
    saved = saved_list(city, test_chain, companies)
    response = as_user(city.admin).get(reverse("chains:target_list_export", args=[saved.pk]))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][:5] == ("排名", "企业名称", "统一社会信用代码", "所在地区", "总分")
    assert "以商引商" in rows[2] and "匹配度" in rows[2]
    body = rows[3:]
    assert [r[1] for r in body] == [i.company.name for i in saved.items.order_by("rank")]
    first = saved.items.order_by("rank").first()
    assert body[0][4] == float(first.score)
    assert body[0][5] == float(first.parts["fit"])


# --- the targets page ------------------------------------------------------------------


def test_the_targets_page_ranks_explains_and_saves_a_list(city, test_chain, companies, as_user):
    client = as_user(city.team_member)
    page = client.get(reverse("chains:targets", args=[test_chain.cells.pk])).content.decode()
    assert page.index("上海甲储能科技有限公司") < page.index("北京丙储能科技有限公司")
    assert "匹配度" in page
    response = client.post(
        reverse("chains:target_list_create", args=[test_chain.cells.pk]),
        {"company": [companies[0].pk, companies[2].pk], "team": city.team.pk, "name": "第一批"},
    )
    assert response.status_code == 302
    saved = TargetList.objects.get(name="第一批")
    assert saved.items.count() == 2 and saved.created_by == city.team_member


def test_saving_without_a_choice_shows_an_error(city, test_chain, companies, as_user):
    response = as_user(city.team_member).post(
        reverse("chains:target_list_create", args=[test_chain.cells.pk]),
        {"team": city.team.pk},
    )
    assert response.status_code == 400
    assert "至少" in response.content.decode()
    assert not TargetList.objects.exists()


def test_a_row_of_another_list_cannot_be_reached_through_this_one(
    city, test_chain, companies, as_user
):
    mine = saved_list(city, test_chain, companies[:1])
    other = saved_list(city, test_chain, companies[1:2], team=city.jingkou)
    item = other.items.get()
    response = as_user(city.team_member).post(
        reverse("chains:target_item_lead", args=[mine.pk, item.pk])
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.project is None

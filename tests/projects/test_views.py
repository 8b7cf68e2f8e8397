"""The project pages, persona by persona: who sees what, who changes what, and nothing is lost."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from yinli.companies.uscc import generate_uscc
from yinli.core.models import Region
from yinli.projects import services
from yinli.projects import views as project_views
from yinli.projects.models import Agreement, Project, Stage, StageChange, Status


@pytest.fixture
def jingkai_project(city):
    investor = factories.company(uscc=generate_uscc(random.Random(7), region="310115"))
    return factories.project(
        city, district=city.jingkai, name="经开区年产十万吨锂电池隔膜项目", company=investor
    )


@pytest.fixture
def jingkou_project(city):
    return factories.project(city, district=city.jingkou, name="京口区智能装备产业园项目")


def url(name, project=None, **params):
    path = reverse(f"projects:{name}", args=[project.pk] if project is not None else [])
    if params:
        from urllib.parse import urlencode

        path += "?" + urlencode(params, doseq=True)
    return path


def edit_data(project, **changes):
    """What the edit form posts for a project, with some values changed."""
    data = {
        "name": project.name,
        "kind": project.kind,
        "category": project.category,
        "industry": project.industry_id or "",
        "company": project.company_id or "",
        "company_name": project.company.name if project.company_id else "",
        "signing_region": project.signing_region.code if project.signing_region_id else "",
        "controller_name": project.controller_name,
        "controller_region": "",
        "total_investment": str(project.total_investment or ""),
        "foreign_investment": "",
        "land_mu": "",
        "expected_output": "",
        "expected_tax": "",
        "jobs": "",
        "agreement": project.agreement,
        "channel": project.channel_id or "",
        "introducer": "",
        "event": "",
        "fai_code": project.fai_code,
        "fai_on": "",
        "district": project.district_id,
        "responsible_unit": project.responsible_unit_id or "",
        "responsible_person": "",
        "first_contact": "",
        "task_force": "",
        "linked_leader": "",
        "notes": "",
        "version": project.version,
    }
    data.update(changes)
    return data


# --- A 京口 editor can neither see nor change a 经开区 project, by any route -------------------


def test_the_ledger_lists_only_her_district(city, as_user, jingkai_project, jingkou_project):
    response = as_user(city.jingkou_editor).get(url("list"))
    assert response.status_code == 200
    assert jingkou_project.name in response.content.decode()
    assert jingkai_project.name not in response.content.decode()


def test_it_refuses_other_district_on_the_board(city, as_user, jingkai_project, jingkou_project):
    response = as_user(city.jingkou_editor).get(url("board"))
    body = response.content.decode()
    assert jingkou_project.name in body
    assert jingkai_project.name not in body


def test_it_refuses_other_district_in_search(city, as_user, jingkai_project):
    client = as_user(city.jingkou_editor)
    for text in ("锂电池隔膜", "nsswdlcgm", jingkai_project.company.name):
        response = client.get(url("list", q=text))
        assert jingkai_project.name not in response.content.decode()
        assert response.context["totals"]["count"] == 0


def test_it_refuses_other_district_detail_as_not_found(city, as_user, jingkai_project):
    response = as_user(city.jingkou_editor).get(url("detail", jingkai_project))
    assert response.status_code == 404
    assert jingkai_project.name not in response.content.decode()


@pytest.mark.parametrize("name", ["edit", "stage", "status", "delete"])
def test_it_refuses_other_district_forms_as_not_found(city, as_user, jingkai_project, name):
    assert as_user(city.jingkou_editor).get(url(name, jingkai_project)).status_code == 404


def test_it_refuses_other_district_edit_post(city, as_user, jingkai_project):
    records = jingkai_project.history.count()
    client = as_user(city.jingkou_editor)
    response = client.post(url("edit", jingkai_project), edit_data(jingkai_project, name="改名"))
    assert response.status_code == 404
    jingkai_project.refresh_from_db()
    assert jingkai_project.name == "经开区年产十万吨锂电池隔膜项目"
    assert jingkai_project.history.count() == records


def test_it_refuses_other_district_stage_post(city, as_user, jingkai_project):
    response = as_user(city.jingkou_editor).post(
        url("stage", jingkai_project),
        {"stage": Stage.REGISTERED, "on": "2025-04-01", "version": jingkai_project.version},
    )
    assert response.status_code == 404
    jingkai_project.refresh_from_db()
    assert jingkai_project.stage == Stage.SIGNED


def test_it_refuses_other_district_status_post(city, as_user, jingkai_project):
    response = as_user(city.jingkou_editor).post(
        url("status", jingkai_project),
        {"status": Status.PAUSED, "reason": "资金未落实", "version": jingkai_project.version},
    )
    assert response.status_code == 404
    jingkai_project.refresh_from_db()
    assert jingkai_project.status == Status.ACTIVE


def test_it_refuses_other_district_delete_post(city, as_user, jingkai_project):
    response = as_user(city.jingkou_editor).post(
        url("delete", jingkai_project), {"version": jingkai_project.version}
    )
    assert response.status_code == 404
    assert Project.objects.filter(pk=jingkai_project.pk).exists()


def test_it_refuses_to_restore_other_districts_deleted_project(city, as_user, jingkai_project):
    services.project_delete(project=jingkai_project, by=city.admin, version=1)
    client = as_user(city.jingkou_editor)
    assert client.post(url("restore", jingkai_project)).status_code == 404
    assert client.get(url("detail", jingkai_project)).status_code == 404
    assert not Project.objects.filter(pk=jingkai_project.pk).exists()


def test_it_refuses_other_district_in_the_recycle_bin(city, as_user, jingkai_project):
    services.project_delete(project=jingkai_project, by=city.admin, version=1)
    response = as_user(city.jingkou_editor).get(url("list", deleted=1))
    assert jingkai_project.name not in response.content.decode()


def test_a_guessed_url_is_not_found(city, as_user, jingkou_project):
    client = as_user(city.jingkou_editor)
    missing = Project.all_objects.order_by("-pk").first().pk + 100
    assert client.get(reverse("projects:detail", args=[missing])).status_code == 404
    assert client.get(reverse("projects:edit", args=[missing])).status_code == 404


def test_it_files_new_projects_only_under_her_district(city, as_user):
    response = as_user(city.jingkou_editor).post(
        url("create"), {"name": "越权项目", "district": city.jingkai.pk, "stage": Stage.LEAD}
    )
    assert response.status_code == 200
    assert "district" in response.context["form"].errors
    assert not Project.all_objects.filter(name="越权项目").exists()


# --- The analyst reads everything and changes nothing ----------------------------------------


def test_the_analyst_reads_every_district(city, as_user, jingkai_project, jingkou_project):
    client = as_user(city.analyst)
    body = client.get(url("list")).content.decode()
    assert jingkai_project.name in body and jingkou_project.name in body
    assert client.get(url("detail", jingkai_project)).status_code == 200


@pytest.mark.parametrize("name", ["edit", "stage", "status", "delete"])
def test_the_analyst_may_not_change_a_project(city, as_user, jingkai_project, name):
    client = as_user(city.analyst)
    assert client.get(url(name, jingkai_project)).status_code == 403
    assert client.post(url(name, jingkai_project), {"version": 1}).status_code == 403
    jingkai_project.refresh_from_db()
    assert jingkai_project.version == 1 and not jingkai_project.is_deleted


def test_the_analyst_may_not_create_a_project(city, as_user):
    assert as_user(city.analyst).get(url("create")).status_code == 403


def test_the_analyst_sees_no_edit_button(city, as_user, jingkai_project):
    body = as_user(city.analyst).get(url("detail", jingkai_project)).content.decode()
    assert url("edit", jingkai_project) not in body


# --- A team member changes her team's projects, and only those --------------------------------


def test_a_team_member_edits_her_teams_project(city, as_user):
    project = factories.project(city, district=city.jingkai, responsible_unit=city.team)
    response = as_user(city.team_member).post(
        url("edit", project), edit_data(project, responsible_person="王晓燕")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.responsible_person == "王晓燕"


def test_a_team_member_reads_but_may_not_edit_other_projects_of_her_district(city, as_user):
    other = factories.project(city, district=city.jingkai)
    client = as_user(city.team_member)
    assert client.get(url("detail", other)).status_code == 200
    response = client.post(url("edit", other), edit_data(other, responsible_person="王晓燕"))
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.responsible_person == ""


def test_a_team_member_does_not_see_other_districts(city, as_user, jingkou_project):
    assert as_user(city.team_member).get(url("detail", jingkou_project)).status_code == 404


# --- Editing: history, stale versions, errors next to their fields ----------------------------


def test_an_edit_writes_a_history_record_by_the_editor(city, as_user, jingkai_project):
    records = jingkai_project.history.count()
    response = as_user(city.jingkai_editor).post(
        url("edit", jingkai_project), edit_data(jingkai_project, total_investment="3.5亿元")
    )
    assert response.status_code == 302
    jingkai_project.refresh_from_db()
    assert jingkai_project.total_investment == Decimal("35000")
    assert jingkai_project.version == 2
    record = jingkai_project.history.first()
    assert jingkai_project.history.count() == records + 1
    assert record.history_user == city.jingkai_editor


def test_a_stale_version_is_refused_and_nothing_is_overwritten(city, as_user, jingkai_project):
    form_version = jingkai_project.version
    services.project_update(
        project=jingkai_project,
        data={"responsible_person": "李明"},
        version=form_version,
        by=city.admin,
    )
    response = as_user(city.jingkai_editor).post(
        url("edit", jingkai_project),
        edit_data(jingkai_project, version=form_version, responsible_person="张伟"),
    )
    assert response.status_code == 200
    assert response.context["stale"] is not None
    body = response.content.decode()
    assert "李明" in body  # the other person's value is shown
    jingkai_project.refresh_from_db()
    assert jingkai_project.responsible_person == "李明"
    assert jingkai_project.version == form_version + 1


def test_the_edit_form_offers_the_current_version_after_a_conflict(city, as_user, jingkai_project):
    services.project_update(
        project=jingkai_project, data={"responsible_person": "李明"}, version=1, by=city.admin
    )
    response = as_user(city.jingkai_editor).post(
        url("edit", jingkai_project), edit_data(jingkai_project, version=1)
    )
    assert response.context["form"]["version"].value() == "2"


def test_an_amount_that_cannot_be_read_is_explained_next_to_its_field(
    city, as_user, jingkai_project
):
    response = as_user(city.jingkai_editor).post(
        url("edit", jingkai_project), edit_data(jingkai_project, total_investment="三到五个亿")
    )
    assert response.status_code == 200
    assert "total_investment" in response.context["form"].errors
    assert "三到五个亿" in " ".join(response.context["form"].errors["total_investment"])


def test_total_investment_must_be_in_yuan(city, as_user, jingkai_project):
    response = as_user(city.jingkai_editor).post(
        url("edit", jingkai_project), edit_data(jingkai_project, total_investment="2亿美元")
    )
    assert "total_investment" in response.context["form"].errors


def test_foreign_investment_keeps_its_currency(city, as_user, jingkai_project):
    as_user(city.jingkai_editor).post(
        url("edit", jingkai_project), edit_data(jingkai_project, foreign_investment="800万欧元")
    )
    jingkai_project.refresh_from_db()
    assert jingkai_project.foreign_investment == Decimal("800")
    assert jingkai_project.foreign_currency == "EUR"


def test_a_place_typed_as_text_is_resolved_to_a_region(city, as_user, jingkai_project):
    as_user(city.jingkai_editor).post(
        url("edit", jingkai_project), edit_data(jingkai_project, controller_region="深圳")
    )
    jingkai_project.refresh_from_db()
    assert jingkai_project.controller_region.code == "440300"


def test_an_unknown_place_is_explained_next_to_its_field(city, as_user, jingkai_project):
    response = as_user(city.jingkai_editor).post(
        url("edit", jingkai_project), edit_data(jingkai_project, controller_region="火星基地")
    )
    assert "controller_region" in response.context["form"].errors
    jingkai_project.refresh_from_db()
    assert jingkai_project.version == 1


def test_the_edit_form_shows_a_region_by_its_full_name(city, as_user, jingkai_project):
    response = as_user(city.jingkai_editor).get(url("edit", jingkai_project))
    assert response.context["form"]["signing_region"].value() == (
        jingkai_project.signing_region.full_name
    )


def test_a_signed_project_cannot_lose_what_signing_needs(city, as_user, jingkai_project):
    response = as_user(city.jingkai_editor).post(
        url("edit", jingkai_project), edit_data(jingkai_project, total_investment="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    jingkai_project.refresh_from_db()
    assert jingkai_project.total_investment == Decimal("15000")


# --- Creating --------------------------------------------------------------------------------


def test_a_district_editor_creates_a_lead_with_a_new_company(city, as_user):
    response = as_user(city.jingkai_editor).post(
        url("create"),
        {
            "name": "高端医疗器械研发生产基地项目",
            "kind": "new",
            "category": "industrial",
            "district": city.jingkai.pk,
            "company_name": "上海联影测试医疗科技有限公司",
            "signing_region": "上海浦东",
            "total_investment": "3.5亿元",
            "stage": Stage.LEAD,
            "stage_on": "2025-05-06",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    project = Project.objects.get(name="高端医疗器械研发生产基地项目")
    assert project.total_investment == Decimal("35000")
    assert project.company.name == "上海联影测试医疗科技有限公司"
    assert project.signing_region.code == "310115"
    assert project.created_by == city.jingkai_editor
    assert project.history.first().history_user == city.jingkai_editor
    assert response["Location"] == url("detail", project)


def test_a_signed_project_is_entered_at_its_stage_and_date(city, as_user):
    investor = factories.company("苏州测试生物制药有限公司", region="320500")
    response = as_user(city.jingkai_editor).post(
        url("create"),
        {
            "name": "创新药制剂产业化项目",
            "kind": "new",
            "category": "industrial",
            "district": city.jingkai.pk,
            "company": investor.pk,
            "company_name": investor.name,
            "signing_region": "320500",
            "industry": city.industry.pk,
            "responsible_unit": city.bureau.pk,
            "channel": city.channel.pk,
            "agreement": Agreement.FORMAL,
            "total_investment": "12,000万",
            "stage": Stage.SIGNED,
            "stage_on": "2025-03-12",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    project = Project.objects.get(name="创新药制剂产业化项目")
    assert project.stage == Stage.SIGNED
    assert project.first_signed_on == date(2025, 3, 12)
    assert project.company == investor
    assert project.total_investment == Decimal("12000")


def test_creating_a_signed_project_without_what_signing_needs_says_what_is_missing(city, as_user):
    response = as_user(city.jingkai_editor).post(
        url("create"),
        {
            "name": "缺资料项目",
            "kind": "new",
            "category": "industrial",
            "district": city.jingkai.pk,
            "stage": Stage.SIGNED,
            "stage_on": "2025-03-12",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Project.all_objects.filter(name="缺资料项目").exists()


def test_a_failed_create_leaves_no_new_company_behind(city, as_user):
    from yinli.companies.models import Company

    as_user(city.jingkai_editor).post(
        url("create"),
        {
            "name": "缺资料项目",
            "kind": "new",
            "category": "industrial",
            "district": city.jingkai.pk,
            "company_name": "不应留下的测试公司",
            "stage": Stage.SIGNED,
            "stage_on": "2025-03-12",
        },
    )
    assert not Company.all_objects.filter(name="不应留下的测试公司").exists()


# --- Stage, status, delete and restore --------------------------------------------------------


def test_advancing_a_stage_logs_it_and_records_who(city, as_user, jingkai_project):
    response = as_user(city.jingkai_editor).post(
        url("stage", jingkai_project),
        {"stage": Stage.REGISTERED, "on": "2025-04-01", "note": "已完成工商注册", "version": 1},
    )
    assert response.status_code == 302
    jingkai_project.refresh_from_db()
    assert jingkai_project.stage == Stage.REGISTERED
    change = StageChange.objects.filter(project=jingkai_project).order_by("-id").first()
    assert (change.stage, change.on, change.by) == (
        Stage.REGISTERED,
        date(2025, 4, 1),
        city.jingkai_editor,
    )
    assert jingkai_project.history.first().history_user == city.jingkai_editor


def test_a_refused_stage_shows_what_is_missing(city, as_user):
    lead = factories.project(city, district=city.jingkai, stage=Stage.LEAD, signed_on=None)
    lead.total_investment = None
    lead.save()
    response = as_user(city.jingkai_editor).post(
        url("stage", lead),
        {"stage": Stage.SIGNED, "on": "2025-04-01", "version": lead.version},
    )
    assert response.status_code == 200
    labels = [str(req.label) for req in response.context["missing"]]
    assert any("total investment" in label or "总投资" in label for label in labels)
    lead.refresh_from_db()
    assert lead.stage == Stage.LEAD


def test_moving_a_card_from_the_board_refreshes_the_board(city, as_user, jingkai_project):
    response = as_user(city.jingkai_editor).post(
        url("stage", jingkai_project),
        {"stage": Stage.REGISTERED, "on": "2025-04-01", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"


def test_the_stage_form_opens_in_the_board_modal(city, as_user, jingkai_project):
    response = as_user(city.jingkai_editor).get(
        url("stage", jingkai_project), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "modal-header" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_a_stale_stage_move_is_refused(city, as_user, jingkai_project):
    services.project_update(
        project=jingkai_project, data={"responsible_person": "李明"}, version=1, by=city.admin
    )
    response = as_user(city.jingkai_editor).post(
        url("stage", jingkai_project), {"stage": Stage.REGISTERED, "on": "2025-04-01", "version": 1}
    )
    assert response.status_code == 200
    jingkai_project.refresh_from_db()
    assert jingkai_project.stage == Stage.SIGNED


def test_a_lost_project_needs_a_reason_and_a_place(city, as_user, jingkai_project):
    client = as_user(city.jingkai_editor)
    response = client.post(
        url("status", jingkai_project), {"status": Status.LOST, "reason": "", "version": 1}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    response = client.post(
        url("status", jingkai_project),
        {"status": Status.LOST, "reason": "对方选择落户合肥", "lost_to": "合肥", "version": 1},
    )
    assert response.status_code == 302
    jingkai_project.refresh_from_db()
    assert jingkai_project.status == Status.LOST
    assert jingkai_project.lost_to.code == "340100"


def test_a_deleted_project_goes_to_the_recycle_bin_and_comes_back(city, as_user, jingkai_project):
    client = as_user(city.jingkai_editor)
    response = client.post(url("delete", jingkai_project), {"version": 1})
    assert response.status_code == 302
    assert not Project.objects.filter(pk=jingkai_project.pk).exists()
    assert client.get(url("list")).context["totals"]["count"] == 0
    assert client.get(url("list", deleted=1)).context["totals"]["count"] == 1
    detail = client.get(url("detail", jingkai_project))
    assert 'id="deleted-banner"' in detail.content.decode()

    assert client.post(url("restore", jingkai_project)).status_code == 302
    jingkai_project.refresh_from_db()
    assert not jingkai_project.is_deleted
    actions = [entry.action for entry in detail.context["history"]]
    assert actions[0] == "delete"


def test_the_analyst_has_no_recycle_bin(city, as_user, jingkai_project):
    services.project_delete(project=jingkai_project, by=city.admin, version=1)
    client = as_user(city.analyst)
    response = client.get(url("list", deleted=1))
    assert jingkai_project.name not in response.content.decode()
    assert response.context["trash"] is False
    assert client.get(url("detail", jingkai_project)).status_code == 404


def test_a_stale_delete_is_refused(city, as_user, jingkai_project):
    services.project_update(
        project=jingkai_project, data={"responsible_person": "李明"}, version=1, by=city.admin
    )
    as_user(city.jingkai_editor).post(url("delete", jingkai_project), {"version": 1})
    assert Project.objects.filter(pk=jingkai_project.pk).exists()


# --- The detail page -------------------------------------------------------------------------


def test_the_detail_page_shows_the_timeline_and_the_change_history(city, as_user, jingkai_project):
    services.project_advance_stage(
        project=jingkai_project,
        stage=Stage.REGISTERED,
        on=date(2025, 4, 1),
        by=city.jingkai_editor,
        version=1,
    )
    response = as_user(city.jingkai_editor).get(url("detail", jingkai_project))
    assert response.status_code == 200
    assert len(response.context["timeline"]) == 2
    assert response.context["history"][0].who == city.jingkai_editor.username
    assert 'id="history"' in response.content.decode()


def test_the_detail_page_says_what_the_next_stage_needs(city, as_user):
    project = factories.project(city, district=city.jingkai)
    response = as_user(city.jingkai_editor).get(url("detail", project))
    # 注册 needs the company's credit code, which the factory company lacks.
    assert [req.field for req in response.context["missing"]] == ["company.uscc"]


# --- The list: filters, totals, amounts, queries ---------------------------------------------


def test_the_list_shows_the_count_and_total_of_the_filtered_projects(city, as_user):
    factories.project(city, district=city.jingkai, total_wan="15000")
    factories.project(city, district=city.jingkai, total_wan="5000")
    factories.project(city, district=city.jingkai, stage=Stage.LEAD, total_wan="100000")
    response = as_user(city.jingkai_editor).get(url("list", stage=Stage.SIGNED))
    assert response.context["totals"]["count"] == 2
    assert response.context["totals"]["total"] == Decimal("20000")
    assert "2亿元" in response.content.decode()


def test_the_reader_chooses_wan_or_yi(city, as_user):
    factories.project(city, district=city.jingkai, total_wan="15000")
    client = as_user(city.jingkai_editor)
    response = client.post(reverse("amount_unit"), {"unit": "wan", "next": url("list")})
    assert response.status_code == 302 and response["Location"] == url("list")
    city.jingkai_editor.refresh_from_db()
    assert city.jingkai_editor.amount_unit == "wan"
    assert "15,000万元" in client.get(url("list")).content.decode()


def test_the_unit_toggle_does_not_redirect_elsewhere(city, as_user):
    response = as_user(city.jingkai_editor).post(
        reverse("amount_unit"), {"unit": "yi", "next": "https://example.com/"}
    )
    assert response["Location"] == "/"


def test_the_list_filters_by_source_region_typed_as_text(city, as_user):
    shanghai = factories.project(city, district=city.jingkai)  # the factory company is in 浦东
    shenzhen_company = factories.company("深圳测试电子有限公司", region="440305")
    shenzhen = factories.project(city, district=city.jingkai, company=shenzhen_company)
    response = as_user(city.jingkai_editor).get(url("list", source="上海"))
    body = response.content.decode()
    assert shanghai.name in body
    assert shenzhen.name not in body


def test_the_list_filters_by_pinyin_initials(city, as_user):
    project = factories.project(city, district=city.jingkai, name="碳纤维复合材料项目")
    factories.project(city, district=city.jingkai, name="生物医药产业园项目")
    response = as_user(city.jingkai_editor).get(url("list", q="txw"))
    assert response.context["totals"]["count"] == 1
    assert project.name in response.content.decode()


def test_the_list_sorts_by_stage_in_stage_order(city, as_user):
    factories.project(city, district=city.jingkai, name="甲项目", stage=Stage.STARTED)
    factories.project(city, district=city.jingkai, name="乙项目", stage=Stage.LEAD, signed_on=None)
    response = as_user(city.jingkai_editor).get(url("list", sort="stage"))
    names = [row.record.name for row in response.context["table"].page.object_list]
    assert names == ["乙项目", "甲项目"]


def test_the_list_pages_by_fifty(city, as_user):
    for _n in range(51):
        factories.project(city, district=city.jingkai)
    response = as_user(city.jingkai_editor).get(url("list"))
    assert len(response.context["table"].page.object_list) == 50
    assert response.context["totals"]["count"] == 51


def test_the_list_query_count_does_not_grow_with_rows(city, as_user, django_assert_max_num_queries):
    shenzhen = factories.company("深圳测试电子有限公司", region="440305")
    for n in range(30):
        factories.project(
            city,
            district=city.jingkai,
            company=shenzhen if n % 2 else None,
            controller_region=Region.objects.get(code="110105") if n % 3 else None,
        )
    client = as_user(city.jingkai_editor)
    client.get(url("list"))  # warm the caches (the demo marker)
    with django_assert_max_num_queries(12):
        response = client.get(url("list"))
    assert response.context["totals"]["count"] == 30


def test_the_board_caps_each_column(city, as_user, monkeypatch):
    monkeypatch.setattr(project_views, "BOARD_CAP", 2)
    for _n in range(5):
        factories.project(city, district=city.jingkai)
    response = as_user(city.jingkai_editor).get(url("board"))
    signed = next(c for c in response.context["columns"] if c["stage"] == Stage.SIGNED)
    assert len(signed["cards"]) == 2
    assert signed["more"] == 3


def test_the_board_query_count_does_not_grow_with_cards(
    city, as_user, django_assert_max_num_queries
):
    for n in range(20):
        factories.project(city, district=city.jingkai, stage=[Stage.SIGNED, Stage.STARTED][n % 2])
    client = as_user(city.jingkai_editor)
    client.get(url("board"))
    with django_assert_max_num_queries(20):
        client.get(url("board"))


def test_an_anonymous_visitor_is_sent_to_the_login(client, city, jingkai_project):
    response = client.get(url("detail", jingkai_project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_stage_dates_in_the_future_are_refused_on_create(city, as_user):
    tomorrow = timezone.localdate().replace(year=timezone.localdate().year + 1)
    response = as_user(city.jingkai_editor).post(
        url("create"),
        {
            "name": "未来项目",
            "kind": "new",
            "category": "industrial",
            "district": city.jingkai.pk,
            "stage": Stage.LEAD,
            "stage_on": tomorrow.isoformat(),
        },
    )
    assert "stage_on" in response.context["form"].errors


def test_the_list_offers_the_export_of_the_same_filter(city, as_user):
    response = as_user(city.jingkai_editor).get(url("list", stage=Stage.SIGNED, page=1))
    assert f'{reverse("project-export")}?stage=signed"' in response.content.decode()


def test_a_figures_drill_down_survives_refiltering(city, as_user):
    response = as_user(city.analyst).get(url("list", stat="signed", period="2025H1"))
    body = response.content.decode()
    assert 'name="period" value="2025H1"' in body
    assert 'type="hidden" name="stat" value="signed"' in body

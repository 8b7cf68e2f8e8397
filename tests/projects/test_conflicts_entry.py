"""The duplicate warning on the project form: nothing is written before a person decides."""

import random

import pytest
from django.urls import reverse

from tests import factories
from yinli.companies.uscc import generate_uscc
from yinli.projects.models import Conflict, ConflictOrigin, DuplicateDecision, Project, Stage

INVESTOR = "恒远光电科技（常州）有限公司"


@pytest.fixture
def investor():
    return factories.company(INVESTOR, uscc=generate_uscc(random.Random(21)))


@pytest.fixture
def jingkai_project(city, investor):
    return factories.project(
        city,
        district=city.jingkai,
        name="恒远光电年产500万片光学膜项目",
        company=investor,
        responsible_unit=city.team,
        total_wan="123456",
    )


def lead(city, **extra):
    data = {
        "name": "光学膜二期项目",
        "kind": "new",
        "category": "industrial",
        "district": city.jingkou.pk,
        "company_name": "恒远光电科技(常州)有限公司",
        "stage": Stage.LEAD,
        "stage_on": "2025-05-06",
    }
    data.update(extra)
    return data


def test_the_form_is_shown_again_with_the_warning_and_nothing_is_saved(
    city, as_user, jingkai_project
):
    response = as_user(city.jingkou_editor).post(reverse("projects:create"), lead(city))
    assert response.status_code == 200
    [warning] = response.context["duplicate_warnings"]
    assert warning.project_id == jingkai_project.pk
    page = response.content.decode()
    assert "该投资方已在镇江经开区有项目" in page
    assert "生物医药第一产业组" in page
    # The other district's record itself stays hidden.
    assert "光学膜项目" not in page.replace("光学膜二期项目", "")
    assert "123456" not in page
    assert not Project.objects.filter(name="光学膜二期项目").exists()
    assert response.context["form"].errors["duplicate_decision"]


def test_a_different_investment_needs_a_reason(city, as_user, jingkai_project):
    response = as_user(city.jingkou_editor).post(
        reverse("projects:create"), lead(city, duplicate_decision="distinct")
    )
    assert response.status_code == 200
    assert "理由" in " ".join(response.context["form"].errors["duplicate_decision"])
    assert not Project.objects.filter(name="光学膜二期项目").exists()


def test_a_different_investment_is_saved_with_its_reason_and_recorded(
    city, as_user, jingkai_project
):
    response = as_user(city.jingkou_editor).post(
        reverse("projects:create"),
        lead(city, duplicate_decision="distinct", duplicate_reason="新设的汽车光学膜生产线"),
    )
    assert response.status_code == 302
    project = Project.objects.get(name="光学膜二期项目")
    assert project.duplicate_decision == DuplicateDecision.DISTINCT
    assert project.duplicate_reason == "新设的汽车光学膜生产线"
    assert project.history.first().duplicate_reason == "新设的汽车光学膜生产线"
    assert not Conflict.objects.exists()


def test_the_same_project_opens_a_conflict_and_notifies(city, as_user, jingkai_project):
    from yinli.core.notifications import notifications_for

    response = as_user(city.jingkou_editor).post(
        reverse("projects:create"),
        lead(
            city,
            duplicate_decision="same",
            duplicate_same_as=jingkai_project.pk,
            duplicate_reason="我区2024年首谈",
        ),
    )
    assert response.status_code == 302
    project = Project.objects.get(name="光学膜二期项目")
    conflict = Conflict.objects.get()
    assert (conflict.project_a, conflict.project_b) == (jingkai_project, project)
    assert (conflict.district_a, conflict.district_b) == (city.jingkai, city.jingkou)
    assert conflict.origin == ConflictOrigin.ENTRY
    assert conflict.opened_by == city.jingkou_editor
    assert project.duplicate_decision == DuplicateDecision.SAME
    # The city and the other district hear of it.
    assert notifications_for(city.analyst).filter(link__contains=str(conflict.pk)).exists()
    assert notifications_for(city.jingkai_editor).exists()


def test_an_unchanged_investor_on_edit_asks_nothing(city, as_user, investor, jingkai_project):
    from tests.projects.test_views import edit_data

    other = factories.project(city, district=city.jingkai, company=investor)
    response = as_user(city.jingkai_editor).post(
        reverse("projects:edit", args=[other.pk]), edit_data(other, notes="补充说明")
    )
    assert response.status_code == 302


def test_changing_the_investor_on_edit_warns(city, as_user, investor, jingkai_project):
    from tests.projects.test_views import edit_data

    mine = factories.project(city, district=city.jingkou)
    data = edit_data(mine, company=investor.pk, company_name=investor.name)
    response = as_user(city.jingkou_editor).post(reverse("projects:edit", args=[mine.pk]), data)
    assert response.status_code == 200
    assert [w.project_id for w in response.context["duplicate_warnings"]] == [jingkai_project.pk]
    mine.refresh_from_db()
    assert mine.company != investor


def test_the_same_project_in_ones_own_district_is_refused(city, as_user, jingkai_project):
    response = as_user(city.jingkai_editor).post(
        reverse("projects:create"),
        lead(
            city,
            district=city.jingkai.pk,
            duplicate_decision="same",
            duplicate_same_as=jingkai_project.pk,
        ),
    )
    assert response.status_code == 200
    assert not Conflict.objects.exists()
    assert not Project.objects.filter(name="光学膜二期项目").exists()


def test_a_project_of_the_same_name_in_another_district_is_warned_of(city, as_user):
    other = factories.project(city, district=city.jingkai, name="年产10万吨锂电池隔膜项目")
    response = as_user(city.jingkou_editor).post(
        reverse("projects:create"),
        lead(city, name="年产10万吨锂电池隔膜项目", company_name="完全不同的测试投资有限公司"),
    )
    assert response.status_code == 200
    [warning] = response.context["duplicate_warnings"]
    assert warning.project_id == other.pk
    assert warning.match_reason == "同名项目"

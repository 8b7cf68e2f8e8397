"""Specification of the duplicate warning (撞车提示) that every entry point shows before a save."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.utils import timezone, translation

from tests import factories
from yinli.companies.duplicates import Decision, duplicate_warnings
from yinli.companies.uscc import generate_uscc
from yinli.projects.models import Stage

pytestmark = pytest.mark.django_db

INVESTOR = "恒远光电科技（常州）有限公司"
PROJECT_NAME = "恒远光电年产500万片光学膜项目"


@pytest.fixture
def investor():
    return factories.company(INVESTOR, uscc=generate_uscc(random.Random(11)))


@pytest.fixture
def jingkai_project(city, investor):
    """The investor's project, filed by 经开区 and kept by its bio-pharma team."""
    return factories.project(
        city,
        district=city.jingkai,
        name=PROJECT_NAME,
        company=investor,
        responsible_unit=city.team,
        stage=Stage.SIGNED,
        signed_on=date(2025, 3, 12),
        total_wan="123456",
    )


def warn(city, user=None, **kwargs):
    kwargs.setdefault("district", city.jingkou)
    return duplicate_warnings(user=user or city.jingkou_editor, **kwargs)


def test_it_warns_of_the_same_investor_in_another_district(city, jingkai_project):
    [warning] = warn(city, company_name="恒远光电科技(常州)有限公司")
    assert warning.project_id == jingkai_project.pk
    assert warning.district_name == "镇江经开区"
    assert warning.other_district is True


def test_the_warning_says_with_whom_the_stage_and_the_date(city, jingkai_project):
    [warning] = warn(city, company_name="江苏恒远光电科技股份有限公司")
    assert warning.responsible_unit_name == "生物医药第一产业组"
    assert warning.stage == Stage.SIGNED
    assert warning.stage_on == date(2025, 3, 12)
    assert warning.reported_on == timezone.localdate()


def test_the_warning_reads_in_chinese(city, jingkai_project):
    [warning] = warn(city, company_name="恒远光电科技(常州)有限公司")
    assert warning.message == (
        "该投资方已在镇江经开区有项目（负责单位：生物医药第一产业组，阶段：签约，日期：2025-03-12）。"
    )


def test_a_jingkou_editor_does_not_learn_the_name_or_amount_of_the_jingkai_project(
    city, jingkai_project
):
    [warning] = warn(city, company_name="恒远光电科技(常州)有限公司")
    assert warning.visible is False
    assert warning.project_name is None
    assert warning.total_investment is None
    shown = repr(warning.as_dict())
    assert PROJECT_NAME not in shown
    assert "123456" not in shown
    assert "光学膜" not in warning.message


def test_a_city_analyst_sees_the_project_in_the_warning(city, jingkai_project):
    [warning] = warn(city, user=city.analyst, company_name="恒远光电科技(常州)有限公司")
    assert warning.visible is True
    assert warning.project_name == PROJECT_NAME
    assert str(warning.total_investment) == "123456.0000"
    assert PROJECT_NAME in warning.message


def test_an_editor_of_the_same_district_sees_her_own_project(city, jingkai_project):
    [warning] = warn(
        city, user=city.jingkai_editor, district=city.jingkai, company_name="恒远光电科技有限公司"
    )
    assert warning.other_district is False
    assert warning.project_name == PROJECT_NAME


def test_the_district_defaults_to_the_users_own(city, jingkai_project):
    [warning] = duplicate_warnings(user=city.jingkai_editor, company_name="恒远光电科技有限公司")
    assert warning.other_district is False


def test_the_credit_code_finds_the_investor_whatever_the_name(city, investor, jingkai_project):
    [warning] = warn(city, company_name="完全不同的名字有限公司", uscc=investor.uscc)
    assert warning.project_id == jingkai_project.pk
    with translation.override("en"):
        [warning] = warn(city, uscc=investor.uscc.lower())
    assert (warning.match_score, warning.match_reason) == (100, "Same credit code")


def test_the_short_form_people_type_is_a_strong_match(city, jingkai_project):
    [warning] = warn(city, company_name="恒远光电")
    assert warning.match_score >= 90


def test_a_near_miss_raises_no_warning(city, jingkai_project):
    assert warn(city, company_name="恒远电子有限公司") == []


def test_a_generic_name_inside_the_investors_raises_no_warning(city):
    bare = factories.company("科技有限公司")  # its key is "科技", found whole in 恒远光电科技
    factories.project(city, district=city.jingkai, company=bare)
    assert warn(city, company_name=INVESTOR) == []


def test_pinyin_initials_raise_no_warning(city, jingkai_project):
    assert warn(city, company_name="hygdkj") == []


def test_a_new_investor_raises_no_warning(city, jingkai_project):
    assert (
        warn(city, company_name="丹阳明辉眼镜有限公司", uscc=generate_uscc(random.Random(12))) == []
    )


def test_nothing_to_compare_raises_no_warning(city, jingkai_project):
    assert warn(city) == []
    assert warn(city, company_name="  ", uscc="") == []


def test_the_project_being_edited_is_not_its_own_duplicate(city, jingkai_project):
    assert (
        warn(
            city,
            user=city.jingkai_editor,
            company_name=INVESTOR,
            exclude_project_id=jingkai_project.pk,
        )
        == []
    )


def test_a_deleted_project_raises_no_warning(city, jingkai_project):
    jingkai_project.deleted_at = timezone.now()
    jingkai_project.save()
    assert warn(city, company_name=INVESTOR) == []


def test_a_project_merged_into_another_raises_no_warning_of_its_own(
    city, investor, jingkai_project
):
    kept = factories.project(city, district=city.jingkai, company=investor)
    jingkai_project.merged_into = kept
    jingkai_project.save()
    assert [w.project_id for w in warn(city, company_name=INVESTOR)] == [kept.pk]


def test_a_merged_company_leads_to_the_projects_of_the_kept_one(city, investor, jingkai_project):
    old_code = generate_uscc(random.Random(13))
    factories.company("恒远光电(常州)有限公司", uscc=old_code, merged_into=investor)
    [warning] = warn(city, uscc=old_code)
    assert warning.project_id == jingkai_project.pk


def test_projects_in_other_districts_come_first(city, investor, jingkai_project):
    own = factories.project(city, district=city.jingkou, company=investor)
    warnings = warn(city, company_name=INVESTOR)
    assert [w.project_id for w in warnings] == [jingkai_project.pk, own.pk]
    assert [w.other_district for w in warnings] == [True, False]
    assert warnings[1].visible is True


def test_each_warning_offers_the_two_decisions(city, jingkai_project):
    [warning] = warn(city, company_name=INVESTOR)
    assert warning.decisions == (Decision.DIFFERENT_INVESTMENT, Decision.SAME_PROJECT)
    assert warning.decisions_needing_a_reason == (Decision.DIFFERENT_INVESTMENT,)


def test_an_outsider_without_a_login_learns_nothing(city, jingkai_project):
    city.outsider.is_active = False
    assert warn(city, user=city.outsider, company_name=INVESTOR) == []

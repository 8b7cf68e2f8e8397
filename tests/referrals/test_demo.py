"""The demo city's profiles and referrals (yinli.demo.referrals), on the personas' city, whose
unit codes are the demo's."""

from decimal import Decimal

from tests.referrals.conftest import lead
from yinli.core.models import OrgUnit
from yinli.demo import referrals as demo
from yinli.projects.models import Industry, Project
from yinli.referrals.models import DistrictProfile, Referral, TargetStatus


def _units():
    return {unit.code: unit for unit in OrgUnit.objects.all()}


def test_profiles_are_written_for_the_demo_districts_present(city):
    Industry.objects.create(name="新一代信息技术")
    made = demo.build_profiles(
        units=_units(), industries={i.name: i for i in Industry.objects.all()}, by=city.admin
    )
    assert made == 3  # jingkou, jingkai, runzhou exist in the personas' city
    jingkou = DistrictProfile.objects.get(district=city.jingkou)
    assert jingkou.land_available_mu == Decimal(demo.PROFILES["jingkou"][0])
    assert [i.name for i in jingkou.industries.all()] == ["新一代信息技术"]
    jingkai = DistrictProfile.objects.get(district=city.jingkai)
    assert "生物医药及大健康" in [i.name for i in jingkai.industries.all()]


def test_the_office_leads_are_referred_in_every_state_without_touching_the_projects(city, ref):
    demo.build_profiles(
        units=_units(), industries={i.name: i for i in Industry.objects.all()}, by=city.admin
    )
    for _ in range(2):
        lead(city, city.office)
    before = list(Project.objects.order_by("pk").values_list("pk", "version", "updated_at"))
    users = {
        "beijing": ref.office_user,
        "admin": city.admin,
        "jingkou": city.jingkou_editor,
        "jingkai": city.jingkai_editor,
    }
    assert demo.build_referrals(units=_units(), users=users) == 3
    assert Referral.objects.count() == 3
    statuses = sorted(
        Referral.objects.get(pk=pk).targets.values_list("status", flat=True)[0]
        for pk in Referral.objects.values_list("pk", flat=True)
    )
    assert TargetStatus.ACCEPTED in statuses and TargetStatus.REFERRED in statuses
    assert list(Project.objects.order_by("pk").values_list("pk", "version", "updated_at")) == before

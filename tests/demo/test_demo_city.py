"""The full default demo city, built once for this module (twice, to prove it deterministic).

The figures are those of the city newspaper's 2025 half-year report (yinli.demo.targets),
counted here with plain ORM queries (tests/demo/figures.py), not with yinli.stats.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from tests.demo import figures
from yinli.companies.models import Company
from yinli.companies.uscc import is_valid_uscc
from yinli.core.checks import check_demo_logins
from yinli.core.models import OrgUnit, Role, User
from yinli.demo import targets as T
from yinli.demo.accounts import DEMO_PASSWORD, DEMO_USERNAMES
from yinli.demo.build import build_demo
from yinli.demo.naming import real_company_names
from yinli.demo.services import is_demo_city, remove_demo_logins
from yinli.fieldwork.models import Event
from yinli.projects.models import FundsInPlace, Project, StageChange, stage_rank
from yinli.projects.rules import incomplete_fields

REF = date(2025, 8, 10)
H1_2025 = (date(2025, 1, 1), date(2025, 6, 30))
H1_2024 = (date(2024, 1, 1), date(2024, 6, 30))

# Famous firms no invented name may contain (besides the generator's own list).
REAL_FIRMS = [
    "华为",
    "比亚迪",
    "宁德时代",
    "中节能",
    "贝斯特",
    "恒顺",
    "西门子",
    "三星",
    "阿里巴巴",
    "腾讯",
    "京东方",
    "隆基",
    "中国石化",
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build the demo, roll it back, build it again with the command; keep the second."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            first = build_demo()
            transaction.set_rollback(True)
        cache.clear()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out, err = StringIO(), StringIO()
            call_command("demo", "--format", "json", stdout=out, stderr=err)
            second = json.loads(out.getvalue())
            yield {"first": first, "second": second}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()


pytestmark = pytest.mark.django_db


# Determinism and the command's summary.


def test_two_builds_with_the_same_seed_write_the_same_records(demo):
    assert demo["first"].digest == demo["second"]["digest"]
    assert demo["first"].counts == demo["second"]["counts"]


def test_the_command_reports_what_it_built(demo):
    summary = demo["second"]
    assert summary["seed"] == 321100
    assert summary["reference_date"] == "2025-08-10"
    assert summary["counts"]["projects"] == Project.all_objects.count()
    assert 2000 <= summary["counts"]["projects"] <= 5000
    assert 2000 <= summary["counts"]["companies"] <= 5000
    assert {login["username"] for login in summary["logins"]} == set(DEMO_USERNAMES)


# The figures of the report.


def test_2025_h1_has_267_signed_projects_of_1158_8_yi(demo):
    signed = figures.signed_counted(*H1_2025)
    assert signed.count() == 267
    assert figures.total(signed) == Decimal("11588000")


def test_2024_h1_has_221_signed_projects_of_1094_2_yi(demo):
    signed = figures.signed_counted(*H1_2024)
    assert signed.count() == 221
    assert figures.total(signed) == Decimal("10942000")


def test_foreign_funded_projects_make_8_to_9_percent_of_2025_h1(demo):
    signed = figures.signed_counted(*H1_2025)
    by_ownership = signed.filter(company__ownership__in=figures.FOREIGN_OWNERSHIP)
    by_agreement = signed.filter(foreign_investment__gt=0)
    # The two readings of "foreign-funded" pick the same projects in the demo.
    assert set(by_ownership.values_list("pk", flat=True)) == set(
        by_agreement.values_list("pk", flat=True)
    )
    share = figures.total(figures.foreign_funded(signed)) / figures.total(signed)
    assert Decimal("0.08") <= share <= Decimal("0.09")
    assert figures.total(by_ownership) == T.FOREIGN_2025_H1_WAN


def test_some_projects_qualify_by_agreed_foreign_investment_alone(demo):
    signed = figures.signed_counted(*H1_2025)
    assert signed.filter(total_investment__lt=10000).count() >= 1


def test_newly_in_statistics_is_200_yi_in_2025_h1_and_171_4_yi_in_2024_h1(demo):
    assert figures.total(figures.in_statistics(*H1_2025)) == Decimal("2000000")
    assert figures.total(figures.in_statistics(*H1_2024)) == Decimal("1714000")
    # Every project counts there, deleted or merged ones included, and gives the same sums.
    everything = Project.all_objects.filter(fai_on__range=H1_2025)
    assert everything.aggregate(s=Sum("total_investment"))["s"] == Decimal("2000000")


def test_20_of_the_267_come_from_the_greater_bay_area_with_115_yi(demo):
    signed = figures.signed_counted(*H1_2025)
    gba = figures.from_group(signed, "粤港澳大湾区")
    assert gba.count() == 20
    assert figures.total(gba) == Decimal("1150000")


def test_shanghai_is_the_top_source_city_since_2023(demo):
    counted = figures.source_cities(figures.signed_counted(T.FIRST_DAY, REF))
    assert counted.most_common(1)[0][0] == "310100"
    every_signed = figures.source_cities(
        Project.objects.filter(first_signed_on__gte=T.FIRST_DAY, merged_into__isnull=True)
    )
    assert every_signed.most_common(1)[0][0] == "310100"


def test_the_development_zone_signed_7_projects_over_10_yi_in_2025(demo):
    zone = Project.objects.filter(
        district__code="jingkai",
        first_signed_on__range=(date(2025, 1, 1), REF),
        merged_into__isnull=True,
    )
    assert zone.filter(total_investment__gte=100000).count() == 7
    assert zone.filter(total_investment__gte=300000).count() == 2
    counted = figures.signed_counted(date(2025, 1, 1), REF).filter(district__code="jingkai")
    state_owned = counted.filter(company__ownership__in=figures.STATE_OWNERSHIP)
    assert state_owned.count() == 3
    assert zone.filter(company__ownership__in=figures.STATE_OWNERSHIP).count() == 3


def test_the_march_shanghai_signing_has_20_projects_of_165_2_yi(demo):
    event = Event.objects.get(name="2025镇江（上海）产业项目集中签约活动")
    assert event.held_on.month == 3 and event.place.code == "310100"
    projects = Project.objects.filter(event=event)
    assert projects.count() == 20
    assert figures.total(projects) == Decimal("1652000")
    assert set(projects.values_list("first_signed_on", flat=True)) == {event.held_on}
    counted = figures.signed_counted(*H1_2025).filter(event=event)
    assert counted.count() == projects.filter(total_investment__gte=10000).count()


def test_the_other_periods_sign_at_similar_monthly_rates(demo):
    per_month = defaultdict(int)
    for day in figures.signed_counted(T.FIRST_DAY, date(2025, 7, 31)).values_list(
        "first_signed_on", flat=True
    ):
        per_month[(day.year, day.month)] += 1
    for year in (2023, 2024):
        months = [per_month[(year, m)] for m in range(1, 13)]
        assert all(10 <= n <= 90 for n in months), months


# The organisation and the logins.


def test_the_demo_city_is_marked_as_such(demo):
    cache.clear()
    assert OrgUnit.objects.filter(code="demo-city").exists()
    assert is_demo_city()


def test_it_has_the_districts_parks_and_liaison_office(demo):
    districts = set(OrgUnit.objects.filter(kind="district").values_list("name", flat=True))
    assert districts == {
        "京口区",
        "润州区",
        "丹徒区",
        "丹阳市",
        "句容市",
        "扬中市",
        "镇江经开区",
        "镇江高新区",
    }
    assert OrgUnit.objects.get(code="jingkou").region.code == "321102"
    office = OrgUnit.objects.get(name="央企（北京）招商代表处")
    assert office.kind == "office" and office.parent.code == "demo-city"
    assert (
        OrgUnit.objects.filter(
            parent__code="demo-city", name__in=["市商务局", "市国际投资促进中心"]
        ).count()
        == 2
    )
    assert Project.objects.filter(responsible_unit=office).count() == 21


def test_the_zone_merged_eight_bureaus_into_six_on_2025_01_01(demo):
    zone = OrgUnit.objects.get(code="jingkai")
    old = OrgUnit.objects.filter(parent=zone, kind="bureau", valid_to=date(2024, 12, 31))
    new = OrgUnit.objects.filter(parent=zone, kind="bureau", valid_to__isnull=True)
    assert old.count() == 8
    assert set(new.values_list("name", flat=True)) == {
        "生物医药及大健康产业招商局",
        "航空航天及低空产业招商局",
        "新能源及新型电力装备产业招商局",
        "新材料及精细化工产业招商局",
        "智能装备及涉港产业招商局",
        "科技及服务业招商局",
    }
    assert all(unit.successor in new for unit in old)
    assert (
        OrgUnit.objects.filter(parent__in=new, kind="team", name__endswith="产业组").count() == 10
    )
    # Open projects moved with a change record naming the administrator; closed ones stayed.
    assert not Project.objects.filter(
        responsible_unit__in=old, status__in=["active", "paused"], merged_into__isnull=True
    ).exists()
    assert Project.all_objects.filter(responsible_unit__in=old).exists()
    moved = Project.history.filter(history_change_reason="reorganize")
    assert moved.count() == demo["second"]["counts"]["reorganised_projects"] > 50
    assert set(moved.values_list("history_user__username", flat=True)) == {"admin"}
    record = moved.first()
    earlier = Project.history.filter(id=record.id, history_type="+").get()
    assert earlier.responsible_unit in old


def test_the_demo_logins_exist_with_their_roles(demo):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert set(users) == set(DEMO_USERNAMES)
    assert users["admin"].is_superuser and users["admin"].role == Role.CITY_ADMIN
    assert users["analyst"].role == Role.CITY_ANALYST
    assert users["jingkou"].org_unit.code == "jingkou"
    assert users["jingkai"].org_unit.code == "jingkai"
    assert users["jingkai"].role == Role.DISTRICT_EDITOR
    assert users["newenergy"].org_unit.name == "新能源及新型电力装备产业招商局"
    assert all(u.display_name for u in users.values())
    assert users["jingkou"].check_password(DEMO_PASSWORD)


def test_check_deploy_warns_about_the_demo_logins_until_they_are_removed(demo):
    assert [w.id for w in check_demo_logins()] == ["yinli.W001"]
    with transaction.atomic():
        assert sorted(remove_demo_logins()) == sorted(DEMO_USERNAMES)
        assert check_demo_logins() == []
        transaction.set_rollback(True)


# The records.


def test_company_names_are_invented(demo):
    names = list(Company.all_objects.values_list("name", flat=True))
    for real in [*REAL_FIRMS, *real_company_names()]:
        assert not [n for n in names if real in n], real
    assert len(set(names)) == len(names)


def test_every_credit_code_is_valid(demo):
    codes = list(Company.all_objects.exclude(uscc=None).values_list("uscc", flat=True))
    assert len(codes) > 1500
    assert all(is_valid_uscc(code) for code in codes)


def test_the_ownership_mix_and_parent_companies(demo):
    kinds = set(Company.all_objects.values_list("ownership", flat=True))
    assert kinds >= {"central_soe", "local_soe", "private", "foreign", "hmt"}
    assert Company.all_objects.filter(parent__isnull=False).count() > 100


def test_the_same_investor_appears_under_name_variants_in_other_districts(demo):
    pairs = 0
    for key in Company.all_objects.filter(uscc=None, region__kind="county").values_list(
        "name_normalized", flat=True
    ):
        districts = set(
            Project.objects.filter(company__name_normalized=key).values_list(
                "district__code", flat=True
            )
        )
        pairs += len(districts) > 1
    assert pairs >= 5


def test_every_stage_log_is_consistent(demo):
    log = defaultdict(list)
    for project_id, stage, on in StageChange.objects.order_by("on", "pk").values_list(
        "project_id", "stage", "on"
    ):
        log[project_id].append((stage, on))
    projects = Project.all_objects.values_list(
        "pk", "stage", "stage_on", "first_signed_on", "agreement"
    )
    for pk, stage, stage_on, signed_on, agreement in projects:
        entries = log[pk]
        assert entries, pk
        days = [on for _s, on in entries]
        assert days == sorted(days) and len(set(days)) == len(days), pk
        ranks = [stage_rank(s) for s, _on in entries]
        assert ranks == sorted(ranks), pk
        assert entries[-1] == (stage, stage_on)
        assert max(days) <= REF
        signed = [on for s, on in entries if s == "signed"]
        if signed_on is None:
            assert not signed and agreement != "formal"
        else:
            assert signed == [signed_on] and agreement == "formal"


def test_every_project_has_what_its_stage_requires(demo):
    for project in Project.all_objects.select_related("company"):
        assert incomplete_fields(project, project.stage) == [], project.name


def test_every_record_has_its_creation_in_the_change_history(demo):
    assert Project.history.filter(history_type="+").count() == Project.all_objects.count()
    # Every company but those of the enterprise base, which get theirs when they first change
    # (yinli.companies.records): until then the row, at version 1, is that record.
    created = Company.history.filter(history_type="+").values("id")
    without = Company.all_objects.exclude(pk__in=created)
    assert without.exists() and Company.all_objects.filter(pk__in=created).exists()
    assert not without.exclude(profile__isnull=False, version=1).exists()
    assert not Company.history.filter(id__in=without.values("pk")).exists()
    assert FundsInPlace.history.filter(history_type="+").count() == FundsInPlace.objects.count()


def test_funds_in_place_belong_to_started_projects_and_stay_within_the_total(demo):
    started = ["started", "completed", "producing", "full"]
    assert FundsInPlace.objects.exclude(project__stage__in=started).count() == 0
    for project in (
        Project.objects.filter(funds__isnull=False).distinct().annotate(paid=Sum("funds__amount"))
    ):
        assert project.paid <= project.total_investment


def test_lost_and_paused_projects_give_their_reasons(demo):
    lost = Project.objects.filter(status="lost")
    assert lost.count() > 50
    assert not lost.filter(lost_to__isnull=True).exists()
    assert not Project.objects.filter(
        status__in=["lost", "paused", "terminated"], status_reason=""
    ).exists()
    assert Project.objects.filter(agreement="framework", first_signed_on__isnull=True).exists()


def test_investment_codes_have_the_national_format(demo):
    import re

    codes = Project.objects.exclude(fai_code="").values_list("fai_code", flat=True)
    assert codes.count() > 300
    pattern = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$")
    assert all(pattern.match(code) for code in codes)
    assert not Project.objects.filter(
        stage__in=["started", "completed", "producing", "full"], fai_code=""
    ).exists()


def test_merged_and_deleted_duplicates_are_kept_but_not_counted(demo):
    assert Project.objects.filter(merged_into__isnull=False).count() == 2
    deleted = Project.all_objects.filter(deleted_at__isnull=False)
    assert deleted.count() == 2
    assert all(p.history.latest("history_id").history_change_reason == "delete" for p in deleted)


def test_every_live_project_holds_its_first_report_claim_and_some_collide(demo):
    from yinli.projects.models import Claim, Conflict, ConflictStatus

    live = Project.objects.filter(merged_into=None)
    assert Claim.objects.filter(project__in=live).values("project").distinct().count() == (
        live.count()
    )
    conflicts = list(Conflict.objects.select_related("project_a__company", "project_b__company"))
    assert len(conflicts) == demo["second"]["counts"]["conflicts"] == 3
    assert sum(c.status == ConflictStatus.OPEN for c in conflicts) == 2
    for conflict in conflicts:
        assert conflict.district_a_id != conflict.district_b_id
        assert (
            conflict.project_a.company.name_normalized == conflict.project_b.company.name_normalized
        )


def test_home_companies_have_ties_on_their_chains_and_teams_have_target_lists(demo):
    from yinli.chains.models import CompanyNode, Relationship, TargetList
    from yinli.chains.targets import home_company_ids, rank_targets

    counts = demo["second"]["counts"]
    local = set(home_company_ids().values_list("pk", flat=True))
    links = list(Relationship.objects.all())
    assert len(links) == counts["relationships"] > 20
    chains_of = {}
    for company_id, chain_id in CompanyNode.objects.values_list("company_id", "node__chain_id"):
        chains_of.setdefault(company_id, set()).add(chain_id)
    for link in links:
        # One side here, the other elsewhere, both on one chain.
        assert (link.company_id in local) != (link.other_id in local)
        assert chains_of[link.company_id] & chains_of[link.other_id]
    lists = list(TargetList.objects.select_related("team", "node"))
    assert len(lists) == counts["target_lists"] == 2
    for target_list in lists:
        assert target_list.team.valid_to is None  # the current unit, after the reorganisation
        assert target_list.items.count() >= 10
    # The ties count: somewhere a tied company ranks among a node's targets with its bonus.
    tied = [
        t
        for target_list in lists
        for t in rank_targets(node=target_list.node, limit=50)
        if t.parts["ties"] > 0
    ]
    assert tied

"""The demo city's 2025 targets: derived from its own 2024 actuals, some districts ahead of the
schedule on 2025-06-30 and some behind, and a default scoring scheme that ranks them."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

import pytest
from django.core.cache import cache
from django.db import transaction

from yinli.core.models import OrgKind, OrgUnit, User
from yinli.demo.build import build_demo
from yinli.demo.targets_plan import GROWTH
from yinli.projects.models import Project
from yinli.stats.periods import half_period
from yinli.targets.models import ScoringScheme, Target
from yinli.targets.report import progress_report
from yinli.targets.scoring import compute_ranking

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            build_demo()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()


def test_every_district_has_its_2025_targets(demo):
    districts = OrgUnit.objects.filter(kind=OrgKind.DISTRICT, valid_to__isnull=True)
    for district in districts:
        figures = set(
            Target.objects.filter(year=2025, unit=district).values_list("figure", flat=True)
        )
        assert {"signed_count", "signed_investment_yi"} <= figures


def test_a_count_target_is_last_years_count_times_the_growth(demo):
    """Counted here with a plain query, not with the stats code the plan uses."""
    jingkou = OrgUnit.objects.get(code="jingkou")
    signed_2024 = (
        Project.objects.filter(
            district=jingkou,
            merged_into__isnull=True,
            category__in=["industrial", "service"],
            first_signed_on__range=(date(2024, 1, 1), date(2024, 12, 31)),
        )
        .filter(total_investment__gte=10000)
        .count()
    )
    foreign_only = Project.objects.filter(
        district=jingkou,
        merged_into__isnull=True,
        category__in=["industrial", "service"],
        first_signed_on__range=(date(2024, 1, 1), date(2024, 12, 31)),
        total_investment__lt=10000,
        foreign_currency="USD",
        foreign_investment__gte=1000,
    ).count()
    expected = (Decimal(signed_2024 + foreign_only) * GROWTH).to_integral_value(
        rounding=ROUND_CEILING
    )
    assert Target.objects.get(year=2025, unit=jingkou, figure="signed_count").annual == expected


def test_on_30_june_some_districts_are_ahead_and_some_behind(demo):
    admin = User.objects.get(username="admin")
    report = progress_report(user=admin, year=2025, on=date(2025, 6, 30))
    signed = [
        r
        for r in report["targets"]
        if r["figure"] == "signed_count" and r["unit"]["kind"] == "district"
    ]
    assert any(r["ahead_points"] > 0 for r in signed)
    assert any(r["ahead_points"] < 0 for r in signed)


def test_the_development_zones_investment_target_is_set_by_quarter(demo):
    target = Target.objects.get(year=2025, unit__code="jingkai", figure="signed_investment_yi")
    assert target.breakdown == "quarters"
    assert sum(Decimal(p) for p in target.parts) == target.annual


def test_the_default_scheme_ranks_every_district(demo):
    scheme = ScoringScheme.objects.get(is_default=True)
    ranking = compute_ranking(scheme=scheme, period=half_period(2025, 1))
    districts = OrgUnit.objects.filter(kind=OrgKind.DISTRICT, valid_to__isnull=True).count()
    assert len(ranking["rows"]) == districts
    assert ranking["rows"][0]["score"] > ranking["rows"][-1]["score"]

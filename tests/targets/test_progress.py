"""Progress against the schedule, computed from the records by the stats code."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from yinli.stats import figures as stats_figures
from yinli.stats.definitions import current_definition
from yinli.stats.periods import months_period
from yinli.targets.report import progress_report
from yinli.targets.services import target_save

pytestmark = pytest.mark.django_db


def _row(report, unit_code, figure):
    return next(
        r for r in report["targets"] if r["unit"]["code"] == unit_code and r["figure"] == figure
    )


def test_progress_on_30_june_matches_a_hand_computation(city, targets):
    report = progress_report(user=city.admin, year=2025, on=date(2025, 6, 30))
    count = _row(report, "jingkou", "signed_count")
    # 3 signed above 1亿 of 8: 37.5% done against 50.0% due.
    assert count["actual"] == 3
    assert count["schedule_pct"] == 50.0
    assert count["done_pct"] == 37.5
    assert count["ahead_points"] == -12.5
    assert count["wording"] == "时序进度50.0%，完成37.5%，落后序时12.5个百分点"
    money = _row(report, "jingkou", "signed_investment_yi")
    # 1.5 + 2 + 12 = 15.5亿 of 40: 38.75% → 38.8 (half up).
    assert money["actual"] == 15.5
    assert money["done_pct"] == 38.8
    ahead = _row(report, "jingkai", "signed_count")
    assert ahead["done_pct"] == 25.0 and ahead["ahead_points"] == -25.0


def test_the_actual_is_the_stats_figure_for_the_same_period(city, targets):
    ctx = stats_figures.Context(
        definition=current_definition(),
        period=months_period(2025, 1, 2025, 6),
        district=city.jingkou,
    )
    expected = stats_figures.signed_figures(ctx)["signed"]["count"]
    report = progress_report(user=city.admin, year=2025, on=date(2025, 6, 30))
    assert _row(report, "jingkou", "signed_count")["actual"] == expected


def test_a_day_earlier_leaves_out_the_project_signed_on_30_june(city, targets):
    report = progress_report(user=city.admin, year=2025, on=date(2025, 6, 29))
    assert _row(report, "jingkou", "signed_count")["actual"] == 2
    assert _row(report, "jingkou", "signed_count")["period"]["end"] == "2025-06-29"


def test_a_bureau_target_counts_the_projects_it_is_responsible_for(city, signed):
    factories.project(
        city,
        district=city.jingkai,
        responsible_unit=city.team,
        signed_on=date(2025, 1, 9),
        fai_on=date(2025, 3, 1),
    )
    factories.project(city, district=city.jingkai, fai_on=date(2025, 3, 1))
    for figure in ("signed_count", "in_statistics_count", "signed_10yi_count"):
        target_save(year=2025, unit=city.bureau, figure=figure, annual=2, by=city.admin)
    report = progress_report(user=city.admin, year=2025, on=date(2025, 6, 30))
    assert _row(report, "jingkai-bio", "signed_count")["actual"] == 1
    assert _row(report, "jingkai-bio", "in_statistics_count")["actual"] == 1
    assert _row(report, "jingkai-bio", "signed_10yi_count")["actual"] == 0


def test_a_district_sees_only_its_own_targets(city, targets):
    report = progress_report(user=city.jingkou_editor, year=2025, on=date(2025, 6, 30))
    assert {r["unit"]["code"] for r in report["targets"]} == {"jingkou"}


def test_the_city_sees_every_districts_targets(city, targets):
    report = progress_report(user=city.analyst, year=2025, on=date(2025, 6, 30))
    assert {r["unit"]["code"] for r in report["targets"]} == {"jingkou", "jingkai"}


def test_an_outsider_sees_no_targets(city, targets):
    report = progress_report(user=city.outsider, year=2025, on=date(2025, 6, 30))
    assert report["targets"] == []


def test_a_district_asking_for_another_is_refused(city, targets):
    with pytest.raises(PermissionDenied):
        progress_report(
            user=city.jingkou_editor, year=2025, on=date(2025, 6, 30), district=city.jingkai
        )


def test_a_team_member_sees_her_unit_and_her_district(city, targets):
    target_save(year=2025, unit=city.team, figure="signed_count", annual=1, by=city.admin)
    report = progress_report(user=city.team_member, year=2025, on=date(2025, 6, 30))
    assert {r["unit"]["code"] for r in report["targets"]} == {"jingkai", "jingkai-bio-1"}

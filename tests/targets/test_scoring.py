"""The ranking: each scoring item, its explanation, ties, and what a district may read."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from yinli.projects.models import Conflict, ConflictStatus, Project, Ruling, Side, Status
from yinli.projects.services import project_set_status
from yinli.stats.periods import half_period, month_period, parse_period
from yinli.targets.report import ranking_report
from yinli.targets.scoring import compute_ranking
from yinli.targets.services import scheme_save, target_save

pytestmark = pytest.mark.django_db
H1 = half_period(2025, 1)


def _row(ranking, code):
    return next(r for r in ranking["rows"] if r["district"]["code"] == code)


def _line(row, kind, figure=None):
    return next(
        line
        for line in row["lines"]
        if line["kind"] == kind and (figure is None or line["figure"] == figure)
    )


def test_a_figure_scores_weight_times_actual_over_schedule(city, targets, scheme):
    ranking = compute_ranking(scheme=scheme, period=H1)
    line = _line(_row(ranking, "jingkou"), "figure", "signed_count")
    # 3 signed against 4 scheduled (8 a year, half of it by 30 June): 30 × 0.75 = 22.5.
    assert line["actual"] == 3 and line["due"] == 4
    assert line["points"] == Decimal("22.5")
    assert "3" in line["text"] and "22.5" in line["text"]


def test_a_figure_above_schedule_is_capped(city, targets, scheme):
    target_save(year=2025, unit=city.jingkai, figure="signed_count", annual=1, by=city.admin)
    line = _line(
        _row(compute_ranking(scheme=scheme, period=H1), "jingkai"), "figure", "signed_count"
    )
    # 1 signed against 0.5 scheduled: 200%, capped at 120%: 30 × 1.2 = 36.
    assert line["ratio_pct"] == Decimal(200)
    assert line["points"] == Decimal(36)


def test_a_missing_target_scores_nothing_and_says_so(city, targets, scheme):
    line = _line(
        _row(compute_ranking(scheme=scheme, period=H1), "runzhou"), "figure", "signed_count"
    )
    assert line["points"] == 0 and line["annual"] is None


def test_nothing_scheduled_in_the_period_gives_the_full_weight(city, signed, scheme):
    target_save(
        year=2025,
        unit=city.jingkou,
        figure="signed_count",
        annual=8,
        breakdown="quarters",
        parts=["0", "0", "4", "4"],
        by=city.admin,
    )
    line = _line(
        _row(compute_ranking(scheme=scheme, period=H1), "jingkou"), "figure", "signed_count"
    )
    assert line["due"] == 0 and line["points"] == Decimal(30)


def test_a_large_project_earns_its_bonus_with_its_name(city, targets, scheme):
    row = _row(compute_ranking(scheme=scheme, period=H1), "jingkou")
    line = _line(row, "big_project")
    assert line["count"] == 1 and line["points"] == Decimal(2)
    assert signed_name(city, "120000") in line["occurrences"][0]["text"]


def signed_name(city, wan):
    return Project.objects.get(district=city.jingkou, total_investment=Decimal(wan)).name


def _lose(project, by, on: date):
    project_set_status(
        project=project,
        status=Status.LOST,
        reason="落户外地",
        by=by,
        version=project.version,
        lost_to=factories.Region.objects.get(code="320500"),
    )
    when = timezone.make_aware(datetime(on.year, on.month, on.day, 10))
    Project.history.model.objects.filter(id=project.pk, status=Status.LOST).update(
        history_date=when
    )


def test_a_project_lost_in_the_period_is_deducted(city, targets, scheme):
    project = factories.project(city, district=city.jingkou, stage="negotiating", signed_on=None)
    _lose(project, city.admin, date(2025, 5, 6))
    line = _line(_row(compute_ranking(scheme=scheme, period=H1), "jingkou"), "lost_project")
    assert line["count"] == 1 and line["points"] == Decimal(-3)
    assert line["occurrences"][0]["project_id"] == project.pk
    assert "2025-05-06" in line["occurrences"][0]["text"]


def test_a_project_lost_before_the_period_is_not_deducted(city, targets, scheme):
    project = factories.project(city, district=city.jingkou, stage="negotiating", signed_on=None)
    _lose(project, city.admin, date(2024, 12, 20))
    line = _line(_row(compute_ranking(scheme=scheme, period=H1), "jingkou"), "lost_project")
    assert line["count"] == 0


def _ruled(city, *, ruling, side, on: date):
    a = factories.project(city, district=city.jingkou)
    b = factories.project(city, district=city.jingkai)
    return Conflict.objects.create(
        project_a=a,
        project_b=b,
        district_a=city.jingkou,
        district_b=city.jingkai,
        origin="city",
        status=ConflictStatus.RULED,
        ruling=ruling,
        ruling_side=side,
        ruling_reason="首谈在先",
        ruled_at=timezone.make_aware(datetime(on.year, on.month, on.day, 15)),
    )


def test_a_conflict_kept_by_the_other_side_counts_against_the_district(city, targets, scheme):
    conflict = _ruled(city, ruling=Ruling.KEEP, side=Side.B, on=date(2025, 4, 1))
    ranking = compute_ranking(scheme=scheme, period=H1)
    against = _line(_row(ranking, "jingkou"), "conflict_against")
    assert against["count"] == 1 and against["points"] == Decimal(-2)
    assert against["occurrences"][0]["conflict_id"] == conflict.pk
    assert _line(_row(ranking, "jingkai"), "conflict_against")["count"] == 0


def test_a_distinct_ruling_is_against_nobody(city, targets, scheme):
    _ruled(city, ruling=Ruling.DISTINCT, side="", on=date(2025, 4, 1))
    ranking = compute_ranking(scheme=scheme, period=H1)
    assert all(_line(r, "conflict_against")["count"] == 0 for r in ranking["rows"])


def test_a_late_report_is_deducted_and_an_early_one_is_not(city, targets, scheme):
    from yinli.reporting.calendar import period_for
    from yinli.reporting.models import Report
    from yinli.reporting.services import open_report

    period = period_for("2025-05")
    on_time = timezone.make_aware(datetime.combine(period.deadline, datetime.min.time()))
    for district in (city.jingkou, city.jingkai):
        open_report(district=district, period=period)
    Report.objects.filter(district=city.jingkou).update(first_submitted_at=on_time)
    late = on_time + timezone.timedelta(days=3)
    Report.objects.filter(district=city.jingkai).update(first_submitted_at=late)
    ranking = compute_ranking(scheme=scheme, period=H1)
    assert _line(_row(ranking, "jingkou"), "late_report")["count"] == 0
    line = _line(_row(ranking, "jingkai"), "late_report")
    assert line["count"] == 1 and line["points"] == Decimal(-1)
    assert line["occurrences"][0]["days_late"] == 3


def test_the_score_is_the_sum_of_the_lines(city, signed):
    scheme = scheme_save(
        name="只计大项目",
        by=city.admin,
        items=[{"kind": "big_project", "points": "5", "threshold_yi": "1"}],
    )
    ranking = compute_ranking(scheme=scheme, period=H1)
    jingkou = _row(ranking, "jingkou")
    assert jingkou["score"] == sum(line["points"] for line in jingkou["lines"]) == Decimal(15)
    assert ranking["rows"][0]["district"]["code"] == "jingkou"


def test_equal_scores_share_a_rank(city, signed):
    scheme = scheme_save(
        name="只计大项目",
        by=city.admin,
        items=[{"kind": "big_project", "points": "5", "threshold_yi": "1"}],
    )
    for day in (date(2025, 1, 5), date(2025, 6, 1)):
        factories.project(city, district=city.jingkai, signed_on=day, total_wan="10000")
    ranking = compute_ranking(scheme=scheme, period=H1)
    ranks = {r["district"]["code"]: r["rank"] for r in ranking["rows"]}
    assert ranks["jingkou"] == ranks["jingkai"] == 1
    assert ranks["runzhou"] == 3


def test_a_ranking_across_two_years_is_refused(city, scheme):
    with pytest.raises(ValidationError):
        compute_ranking(scheme=scheme, period=parse_period("2024-12..2025-01"))


def test_a_district_reads_the_ranking_but_not_other_districts_project_names(city, targets, scheme):
    project = factories.project(
        city, district=city.jingkai, stage="negotiating", signed_on=None, name="某某外地流失项目"
    )
    _lose(project, city.admin, date(2025, 3, 3))
    ranking = ranking_report(user=city.jingkou_editor, period=H1)
    line = _line(_row(ranking, "jingkai"), "lost_project")
    assert line["count"] == 1
    assert "某某外地流失项目" not in line["occurrences"][0]["text"]
    city_view = ranking_report(user=city.analyst, period=H1)
    assert (
        "某某外地流失项目"
        in _line(_row(city_view, "jingkai"), "lost_project")["occurrences"][0]["text"]
    )


def test_a_user_without_a_district_sees_no_ranking(city, scheme):
    from yinli.core.models import Role, User

    stranger = User.objects.create_user(
        username="nobody", password="x", role=Role.VIEWER, org_unit=city.office
    )
    with pytest.raises(PermissionDenied):
        ranking_report(user=stranger, period=H1)


def test_a_month_ranking_compares_with_the_months_schedule(city, targets, scheme):
    line = _line(
        _row(compute_ranking(scheme=scheme, period=month_period(2025, 6)), "jingkou"),
        "figure",
        "signed_count",
    )
    # June: one project (30 June) against 8/12 scheduled.
    assert line["actual"] == 1
    assert line["due"] == Decimal(8) / Decimal(12)

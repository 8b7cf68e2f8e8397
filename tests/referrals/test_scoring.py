"""Scorecards as data: weights, bands, linear scales, failing thresholds, several evaluators."""

from decimal import Decimal

import pytest

from tests import factories
from yinli.core.models import Role
from yinli.referrals.defaults import DEFAULT_NAME
from yinli.referrals.models import (
    Criterion,
    Direction,
    Evaluation,
    Method,
    Score,
    ScoreBand,
    Scorecard,
)
from yinli.referrals.scoring import criterion_points, evaluation_result, fails_threshold

D = Decimal


@pytest.fixture
def card(db):
    """投资强度 by bands (weight 3, fails under 300), 能耗 linear lower-is-better (weight 1,
    fails above 0.5)."""
    scorecard = Scorecard.objects.create(name="测试评估标准")
    intensity = Criterion.objects.create(
        scorecard=scorecard,
        name="投资强度",
        unit="万元/亩",
        weight=D(3),
        method=Method.BANDS,
        threshold=D(300),
        sort_order=1,
    )
    for lower, upper, points in [(None, 300, 0), (300, 400, 60), (400, None, 100)]:
        ScoreBand.objects.create(
            criterion=intensity,
            lower=None if lower is None else D(lower),
            upper=None if upper is None else D(upper),
            points=D(points),
        )
    energy = Criterion.objects.create(
        scorecard=scorecard,
        name="能耗",
        weight=D(1),
        direction=Direction.LOWER,
        method=Method.LINEAR,
        scale_min=D("0.1"),
        scale_max=D("0.5"),
        threshold=D("0.5"),
        sort_order=2,
    )
    return scorecard, intensity, energy


def test_bands_include_their_lower_bound_and_exclude_their_upper(card):
    _scorecard, intensity, _energy = card
    assert criterion_points(intensity, D("299.99")) == 0
    assert criterion_points(intensity, D(300)) == 60
    assert criterion_points(intensity, D("399.9")) == 60
    assert criterion_points(intensity, D(400)) == 100
    assert criterion_points(intensity, D(9000)) == 100


def test_a_linear_scale_runs_the_other_way_when_lower_is_better(card):
    _scorecard, _intensity, energy = card
    assert criterion_points(energy, D("0.1")) == 100
    assert criterion_points(energy, D("0.3")) == 50
    assert criterion_points(energy, D("0.5")) == 0
    assert criterion_points(energy, D("0.05")) == 100  # clamped
    assert criterion_points(energy, D("0.9")) == 0
    energy.direction = Direction.HIGHER
    assert criterion_points(energy, D("0.2")) == 25


def test_thresholds_fail_on_the_wrong_side_only(card):
    _scorecard, intensity, energy = card
    assert fails_threshold(intensity, D("299"))
    assert not fails_threshold(intensity, D("300"))
    assert fails_threshold(energy, D("0.51"))
    assert not fails_threshold(energy, D("0.5"))


def _evaluation(city, scorecard):
    lead = factories.project(city, stage="lead", signed_on=None)
    return Evaluation.objects.create(lead=lead, scorecard=scorecard, unit=city.jingkai)


def test_the_weighted_total_uses_the_weights(city, card):
    scorecard, intensity, energy = card
    evaluation = _evaluation(city, scorecard)
    Score.objects.create(
        evaluation=evaluation, evaluator=city.jingkai_editor, criterion=intensity, value=D(350)
    )
    Score.objects.create(
        evaluation=evaluation, evaluator=city.jingkai_editor, criterion=energy, value=D("0.2")
    )
    result = evaluation_result(evaluation)
    # (60 × 3 + 75 × 1) ÷ 4 = 63.75
    assert result.total == D("63.75")
    assert result.complete and result.passed
    assert result.failed_names == []


def test_several_evaluators_are_averaged_per_criterion(city, card):
    scorecard, intensity, energy = card
    evaluation = _evaluation(city, scorecard)
    second = factories.user("jkq_second", Role.TEAM_MEMBER, city.team)
    for person, value, use in [
        (city.jingkai_editor, 320, "0.2"),
        (second, 480, "0.4"),
    ]:
        Score.objects.create(
            evaluation=evaluation, evaluator=person, criterion=intensity, value=D(value)
        )
        Score.objects.create(
            evaluation=evaluation, evaluator=person, criterion=energy, value=D(use)
        )
    result = evaluation_result(evaluation)
    row = {r.criterion.name: r for r in result.criteria}
    assert row["投资强度"].mean == D(400)  # (320 + 480) / 2 → the 400+ band
    assert row["投资强度"].points == 100
    assert row["能耗"].mean == D("0.3")
    assert result.total == D("87.50")  # (100 × 3 + 50) ÷ 4
    # Each evaluator's own total, as the table's footer shows it.
    assert result.evaluator_totals[city.jingkai_editor.pk] == D("63.75")  # (60×3 + 75) / 4
    assert result.evaluator_totals[second.pk] == D("81.25")  # (100×3 + 25) / 4
    assert [u.pk for u in result.evaluators] == sorted([city.jingkai_editor.pk, second.pk])


def test_a_failed_threshold_is_named_whatever_the_total(city, card):
    scorecard, intensity, energy = card
    evaluation = _evaluation(city, scorecard)
    Score.objects.create(
        evaluation=evaluation, evaluator=city.jingkai_editor, criterion=intensity, value=D(2000)
    )
    Score.objects.create(
        evaluation=evaluation, evaluator=city.jingkai_editor, criterion=energy, value=D("0.8")
    )
    result = evaluation_result(evaluation)
    assert result.total == D(75)
    assert result.failed_names == ["能耗"]
    assert not result.passed


def test_a_missing_criterion_leaves_the_result_incomplete(city, card):
    scorecard, intensity, _energy = card
    evaluation = _evaluation(city, scorecard)
    Score.objects.create(
        evaluation=evaluation, evaluator=city.jingkai_editor, criterion=intensity, value=D(400)
    )
    result = evaluation_result(evaluation)
    assert not result.complete
    assert [c.name for c in result.missing] == ["能耗"]
    assert result.total == D(75)  # 100 × 3 of 4 weights: a lower bound


def test_a_new_database_has_the_default_scorecard_with_the_seven_criteria(db):
    scorecard = Scorecard.objects.get(name=DEFAULT_NAME)
    assert scorecard.is_default
    names = list(scorecard.criteria.values_list("name", flat=True))
    assert names == ["投资强度", "亩均税收", "亩均产出", "容积率", "科技含量", "产业契合度", "能耗"]
    assert sum(c.weight for c in scorecard.criteria.all()) == 100
    energy = scorecard.criteria.get(name="能耗")
    assert energy.direction == Direction.LOWER
    assert scorecard.criteria.get(name="投资强度").bands.count() == 4


def test_the_city_adds_a_criterion_without_code(city, card):
    scorecard, intensity, energy = card
    jobs = Criterion.objects.create(
        scorecard=scorecard,
        name="带动就业",
        unit="人",
        weight=D(4),
        method=Method.LINEAR,
        scale_min=D(0),
        scale_max=D(200),
        sort_order=3,
    )
    evaluation = _evaluation(city, scorecard)
    for criterion, value in [(intensity, 400), (energy, "0.1"), (jobs, 100)]:
        Score.objects.create(
            evaluation=evaluation,
            evaluator=city.jingkai_editor,
            criterion=criterion,
            value=D(value),
        )
    # (100 × 3 + 100 × 1 + 50 × 4) ÷ 8 = 75
    assert evaluation_result(evaluation).total == D(75)


def test_the_default_scorecard_is_reference_data_without_change_history(db):
    # Like the region table: a restore into a fresh database replaces it without asking
    # (yinli.core.backup.has_user_data looks for change history).
    assert Scorecard.objects.exists()
    assert Scorecard.history.count() == 0 and Criterion.history.count() == 0

"""Scoring an evaluation on its scorecard (综合评估).

Each criterion turns a value into 0–100 points, by its bands (the band the value falls in,
from inclusive, up to exclusive) or by its linear scale (the low end gives 0 points and the high
end 100 when higher is better, the other way round when lower is better; clamped). When several
evaluators score, a criterion's value is the mean of their values. The weighted total is
Σ(points × weight) ÷ Σ(weights of every criterion), rounded half up to 0.01. A value on the wrong
side of a criterion's threshold fails the project outright, whatever the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .models import Criterion, Direction, Evaluation, Method

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def criterion_points(criterion: Criterion, value: Decimal, bands=None) -> Decimal:
    """The 0–100 points a value earns on a criterion."""
    value = Decimal(value)
    if criterion.method == Method.BANDS:
        for band in criterion.bands.all() if bands is None else bands:
            if (band.lower is None or value >= band.lower) and (
                band.upper is None or value < band.upper
            ):
                return min(max(Decimal(band.points), Decimal(0)), HUNDRED)
        return Decimal(0)
    low, high = criterion.scale_min, criterion.scale_max
    if low is None or high is None or high <= low:
        return Decimal(0)
    share = (value - low) / (high - low)
    if criterion.direction == Direction.LOWER:
        share = 1 - share
    return min(max(share, Decimal(0)), Decimal(1)) * HUNDRED


def fails_threshold(criterion: Criterion, value: Decimal) -> bool:
    if criterion.threshold is None:
        return False
    if criterion.direction == Direction.LOWER:
        return Decimal(value) > criterion.threshold
    return Decimal(value) < criterion.threshold


@dataclass
class CriterionResult:
    criterion: Criterion
    values: dict[int, Decimal]  # evaluator id → value
    mean: Decimal | None
    points: Decimal | None
    failed: bool

    @property
    def weighted(self) -> Decimal | None:
        return None if self.points is None else self.points * self.criterion.weight


@dataclass
class EvaluationResult:
    criteria: list[CriterionResult]
    total: Decimal | None
    evaluators: list = field(default_factory=list)
    evaluator_totals: dict[int, Decimal | None] = field(default_factory=dict)

    @property
    def missing(self) -> list[Criterion]:
        return [row.criterion for row in self.criteria if row.mean is None]

    @property
    def complete(self) -> bool:
        return bool(self.criteria) and not self.missing

    @property
    def failed(self) -> list[Criterion]:
        return [row.criterion for row in self.criteria if row.failed]

    @property
    def failed_names(self) -> list[str]:
        return [criterion.name for criterion in self.failed]

    @property
    def passed(self) -> bool:
        return self.complete and not self.failed


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _total(rows: list[tuple[Criterion, Decimal | None]], weight_sum: Decimal) -> Decimal | None:
    if not weight_sum:
        return None
    scored = [(c, p) for c, p in rows if p is not None]
    if not scored:
        return None
    return _round(sum((p * c.weight for c, p in scored), Decimal(0)) / weight_sum)


def evaluation_result(evaluation: Evaluation) -> EvaluationResult:
    """The evaluation's result from its scores, as they stand."""
    criteria = list(evaluation.scorecard.criteria.prefetch_related("bands"))
    scores = list(evaluation.scores.select_related("evaluator"))
    by_criterion: dict[int, dict[int, Decimal]] = {}
    evaluators = {}
    for score in scores:
        by_criterion.setdefault(score.criterion_id, {})[score.evaluator_id] = score.value
        evaluators[score.evaluator_id] = score.evaluator
    weight_sum = sum((c.weight for c in criteria), Decimal(0))
    rows = []
    for criterion in criteria:
        values = by_criterion.get(criterion.pk, {})
        if values:
            mean = sum(values.values(), Decimal(0)) / len(values)
            points = criterion_points(criterion, mean, criterion.bands.all())
            rows.append(
                CriterionResult(criterion, values, mean, points, fails_threshold(criterion, mean))
            )
        else:
            rows.append(CriterionResult(criterion, {}, None, None, False))
    per_evaluator = {}
    for evaluator_id in evaluators:
        parts = []
        for criterion in criteria:
            value = by_criterion.get(criterion.pk, {}).get(evaluator_id)
            parts.append(
                (
                    criterion,
                    None
                    if value is None
                    else criterion_points(criterion, value, criterion.bands.all()),
                )
            )
        per_evaluator[evaluator_id] = _total(parts, weight_sum)
    return EvaluationResult(
        criteria=rows,
        total=_total([(row.criterion, row.points) for row in rows], weight_sum),
        evaluators=sorted(evaluators.values(), key=lambda user: user.pk),
        evaluator_totals=per_evaluator,
    )

"""The default scorecard (综合评估标准) a new database starts with.

The seven criteria the issue names, with weights adding up to 100. The numbers (scales, bands
and thresholds) are a starting point in the range Jiangsu cities publish for industrial land
(投资强度 and 容积率 floors, 亩均 benchmarks); a city edits them, and adds criteria, as data in the
administration pages, without code.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from .models import Criterion, Direction, Method, ScoreBand, Scorecard

DEFAULT_NAME = "综合评估标准（默认）"

# name, unit, weight, direction, method, scale (low, high) or bands [(lower, upper, points)],
# threshold, how to score
DEFAULT_CRITERIA = [
    (
        "投资强度",
        "万元/亩",
        20,
        Direction.HIGHER,
        Method.BANDS,
        [(None, 300, 0), (300, 400, 60), (400, 500, 80), (500, None, 100)],
        300,
        "固定资产投资 ÷ 用地面积",
    ),
    (
        "亩均税收",
        "万元/亩",
        20,
        Direction.HIGHER,
        Method.LINEAR,
        (10, 50),
        None,
        "达产后年税收 ÷ 用地面积",
    ),
    (
        "亩均产出",
        "万元/亩",
        15,
        Direction.HIGHER,
        Method.LINEAR,
        (100, 600),
        None,
        "达产后年产值 ÷ 用地面积",
    ),
    (
        "容积率",
        "",
        10,
        Direction.HIGHER,
        Method.BANDS,
        [(None, 1, 0), (1, "1.2", 60), ("1.2", "1.5", 80), ("1.5", None, 100)],
        1,
        "总建筑面积 ÷ 用地面积",
    ),
    ("科技含量", "分", 15, Direction.HIGHER, Method.LINEAR, (0, 100), None, "评估人打分，0–100"),
    (
        "产业契合度",
        "分",
        10,
        Direction.HIGHER,
        Method.LINEAR,
        (0, 100),
        None,
        "与本地主导产业、产业链的契合，0–100",
    ),
    (
        "能耗",
        "吨标准煤/万元",
        10,
        Direction.LOWER,
        Method.LINEAR,
        ("0.05", "0.5"),
        "0.5",
        "单位产值综合能耗，越低越好",
    ),
]


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@transaction.atomic
def create_default_scorecard(using: str = "default") -> Scorecard | None:
    """Write the default scorecard into a database that has none; None when there is one.

    Written with bulk inserts, so that it leaves no change history: like the region table, it
    is reference data a fresh database starts with (a restore replaces it without asking).
    """
    if Scorecard.objects.using(using).exists():
        return None
    (scorecard,) = Scorecard.objects.using(using).bulk_create(
        [
            Scorecard(
                name=DEFAULT_NAME,
                description="招商线索综合评估的默认标准：七项指标，权重合计100；各市可调整或增加指标。",
                is_default=True,
            )
        ]
    )
    if scorecard.pk is None:  # an engine that does not return ids from a bulk insert
        scorecard = Scorecard.objects.using(using).get(name=DEFAULT_NAME)
    criteria = [
        Criterion(
            scorecard=scorecard,
            name=name,
            unit=unit,
            weight=Decimal(weight),
            direction=direction,
            method=method,
            scale_min=_d(scale[0]) if method == Method.LINEAR else None,
            scale_max=_d(scale[1]) if method == Method.LINEAR else None,
            threshold=_d(threshold),
            help_text=how,
            sort_order=order,
        )
        for order, (name, unit, weight, direction, method, scale, threshold, how) in enumerate(
            DEFAULT_CRITERIA, start=1
        )
    ]
    Criterion.objects.using(using).bulk_create(criteria)
    saved = {c.name: c for c in Criterion.objects.using(using).filter(scorecard=scorecard)}
    ScoreBand.objects.using(using).bulk_create(
        ScoreBand(criterion=saved[name], lower=_d(lo), upper=_d(hi), points=Decimal(pts))
        for name, _unit, _weight, _direction, method, scale, _threshold, _how in DEFAULT_CRITERIA
        if method == Method.BANDS
        for lo, hi, pts in scale
    )
    return scorecard

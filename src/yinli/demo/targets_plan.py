"""The demo city's 2025 targets (目标任务) and its default scoring scheme (考核办法).

Each target is computed, not typed: the unit's own 2024 actual (yinli.targets.figures, the stats
code) × GROWTH, a count rounded up to a whole project, an amount up to a whole 亿元. The demo's
2025 is uneven across districts, so on 2025-06-30 some are ahead of the schedule and some behind.
The development zone's investment target is set per quarter (back-loaded, as parks plan it) and
the 新能源 bureau gets targets of its own, so that the pages show a custom breakdown and a unit
below a district.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from yinli.core.models import OrgKind, OrgUnit, User
from yinli.stats.definitions import current_definition
from yinli.stats.periods import year_period
from yinli.targets.figures import Actuals
from yinli.targets.services import scheme_save, target_save

YEAR = 2025
GROWTH = Decimal("1.10")
FIGURES = ["signed_count", "signed_investment_yi", "in_statistics_investment_yi", "foreign_count"]
BUREAU = "jk-energy"
BUREAU_FIGURES = ["signed_count", "signed_investment_yi"]
# 经开区's investment by quarter: shares of the year (the fourth takes the rest).
QUARTER_SHARES = [Decimal("0.20"), Decimal("0.25"), Decimal("0.25")]

SCHEME_ITEMS = [
    {"kind": "figure", "figure": "signed_count", "weight": "30", "cap": "1.2"},
    {"kind": "figure", "figure": "signed_investment_yi", "weight": "30", "cap": "1.2"},
    {"kind": "figure", "figure": "in_statistics_investment_yi", "weight": "25", "cap": "1.2"},
    {"kind": "figure", "figure": "foreign_count", "weight": "15", "cap": "1.2"},
    {"kind": "big_project", "points": "1", "threshold_yi": "10"},
    {"kind": "lost_project", "points": "-2"},
    {"kind": "late_report", "points": "-1"},
    {"kind": "conflict_against", "points": "-2"},
]


def _annual(figure: str, actual: Decimal) -> Decimal:
    grown = Decimal(actual) * GROWTH
    return max(Decimal(1), grown.to_integral_value(rounding=ROUND_CEILING))


def build_targets(*, admin: User) -> dict[str, int]:
    definition = current_definition()
    actuals = Actuals()
    last_year = year_period(YEAR - 1)
    units = list(OrgUnit.objects.filter(kind=OrgKind.DISTRICT, valid_to__isnull=True))
    bureau = OrgUnit.objects.filter(code=BUREAU).first()
    plan = [(unit, FIGURES) for unit in units]
    if bureau is not None:
        plan.append((bureau, BUREAU_FIGURES))
    count = 0
    for unit, figures in plan:
        for figure in figures:
            actual = actuals.value(
                figure=figure, unit=unit, definition=definition, period=last_year
            )
            annual = _annual(figure, actual)
            breakdown, parts = "even_months", None
            if unit.code == "jingkai" and figure == "signed_investment_yi":
                breakdown = "quarters"
                parts = [
                    (annual * share).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                    for share in QUARTER_SHARES
                ]
                parts.append(annual - sum(parts))
            target_save(
                year=YEAR,
                unit=unit,
                figure=figure,
                annual=annual,
                breakdown=breakdown,
                parts=parts,
                definition=definition,
                note=f"{YEAR - 1}年实绩{_plain(actual)}×{_plain(GROWTH)}",
                by=admin,
            )
            count += 1
    scheme_save(
        name=f"{YEAR}年度招商引资考核办法（演示）",
        items=SCHEME_ITEMS,
        is_default=True,
        note="目标完成按序时进度计分（封顶120%），另计10亿元以上项目加分和流失项目、迟报、撞车裁定扣分。",
        by=admin,
    )
    return {"targets": count, "scoring_schemes": 1}


def _plain(value: Decimal) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"

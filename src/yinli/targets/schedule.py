"""The schedule (时序进度) of an annual target and progress against it.

Rule (documented choice): a target is first spread over the twelve months — evenly
(annual ÷ 12), by the amounts set per month, or by the amounts set per quarter, each quarter's
amount spread evenly over its three months. What is due by a date is the sum of the months
before it plus the current month's amount × (days elapsed ÷ days in that month), the date itself
counted. So the schedule is 6/12 = 50.0% on 30 June and 7/12 = 58.3% on 31 July, whatever the
length of the months; 29 February 2024 closes February (2/12) and 28 February 2024 is
1/12 + 28/29 × 1/12. Before the year nothing is due, after it everything.

Progress:
    时序进度 schedule_pct = due ÷ annual × 100
    完成     done_pct     = actual ÷ annual × 100
    超序时 / 落后序时 ahead_points = done_pct − schedule_pct (percentage points)
computed on exact Decimals and rounded half up to 0.1 only when shown (as stats does), so the
points ahead are the rounded difference of the unrounded percentages.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from yinli.stats.report import round_half_up

from .models import Breakdown

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def monthly_amounts(*, annual, breakdown: str, parts: list) -> list[Fraction]:
    """The twelve monthly amounts of a target, as exact fractions that add up to `annual`
    (a third of a quarter is not a finite decimal)."""
    annual = Fraction(Decimal(annual))
    if breakdown == Breakdown.MONTHS:
        return [Fraction(Decimal(str(p))) for p in parts]
    if breakdown == Breakdown.QUARTERS:
        quarters = [Fraction(Decimal(str(p))) for p in parts]
    elif breakdown == Breakdown.EVEN_QUARTERS:
        quarters = [annual / 4] * 4
    else:
        return [annual / 12] * 12
    return [quarters[m // 3] / 3 for m in range(12)]


def due_fraction_of_month(day: date) -> Fraction:
    """Days elapsed in the month of `day` (itself included) ÷ days in that month."""
    days = calendar.monthrange(day.year, day.month)[1]
    return Fraction(day.day, days)


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _due(year: int, months: list[Fraction], on: date) -> Fraction:
    if on < date(year, 1, 1):
        return Fraction(0)
    if on >= date(year, 12, 31):
        return sum(months, Fraction(0))
    before = sum(months[: on.month - 1], Fraction(0))
    return before + months[on.month - 1] * due_fraction_of_month(on)


def due_by(*, year: int, months: list[Fraction], on: date) -> Decimal:
    """The part of the year's schedule due by the end of `on`."""
    return _decimal(_due(year, months, on))


def due_between(*, year: int, months: list[Fraction], start: date, end: date) -> Decimal:
    """The part of the schedule due within [start, end] (a period of the ranking)."""
    return _decimal(_due(year, months, end) - _due(year, months, start - timedelta(days=1)))


def month_table(*, annual, months: list[Fraction]) -> list[dict]:
    """Month by month: the amount scheduled, the cumulative amount and its share of the year."""
    rows, total = [], Fraction(0)
    annual = Fraction(Decimal(annual))
    for number, amount in enumerate(months, start=1):
        total += amount
        rows.append(
            {
                "month": number,
                "amount": _decimal(amount),
                "cumulative": _decimal(total),
                "pct": _decimal(total * 100 / annual) if annual else None,
            }
        )
    return rows


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


@dataclass
class Progress:
    annual: Decimal
    due: Decimal
    actual: Decimal
    schedule_pct: Decimal | None
    done_pct: Decimal | None
    ahead_points: Decimal | None

    def wording(self) -> str:
        """时序进度 58.3%，完成 61.2%，超序时 2.9个百分点."""
        return progress_words(self.schedule_pct, self.done_pct, self.ahead_points)


def progress(*, annual: Decimal, months: list[Fraction], year: int, on: date, actual) -> Progress:
    due = due_by(year=year, months=months, on=on)
    actual = Decimal(actual or 0)
    schedule = pct(due, annual)
    done = pct(actual, annual)
    ahead = None if schedule is None or done is None else done - schedule
    return Progress(Decimal(annual), due, actual, schedule, done, ahead)


def shown(value: Decimal | None) -> str:
    """A percent as the wording shows it: half up to 0.1, never -0.0."""
    if value is None:
        return "—"
    rounded = round_half_up(value, 1)
    return f"{abs(rounded) if not rounded else rounded:.1f}"


def progress_words(schedule_pct, done_pct, ahead_points) -> str:
    if schedule_pct is None or done_pct is None:
        return "无目标值"
    text = f"时序进度{shown(schedule_pct)}%，完成{shown(done_pct)}%，"
    rounded = round_half_up(ahead_points, 1)
    if rounded > 0:
        return text + f"超序时{shown(ahead_points)}个百分点"
    if rounded < 0:
        return text + f"落后序时{shown(-ahead_points)}个百分点"
    return text + "与序时进度持平"

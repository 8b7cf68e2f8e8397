"""Random draws for the demo city: long-tailed amounts with an exact total, counts, dates.

Amounts are in 万元 as Decimals, rounded the way people type them into a ledger (to 100万 under
5亿, 500万 under 20亿, 1000万 above).
"""

from __future__ import annotations

import calendar
import math
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal


def ledger_round(wan: float | Decimal) -> Decimal:
    value = Decimal(str(wan))
    step = Decimal(100) if value < 50000 else Decimal(500) if value < 200000 else Decimal(1000)
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def long_tail(rng: random.Random, sigma: float) -> float:
    """A lognormal weight (median 1), clipped so that no single project dwarfs a city."""
    return min(rng.lognormvariate(0, sigma), math.exp(2.7 * sigma))


def tail_mean(sigma: float) -> float:
    return math.exp(sigma * sigma / 2)


def amount_above(rng: random.Random, *, floor: float, mean: float, sigma: float = 1.2) -> Decimal:
    """One long-tailed amount ≥ floor whose expected value is about `mean`."""
    scale = (mean - floor) / tail_mean(sigma)
    return max(Decimal(str(floor)), ledger_round(floor + scale * long_tail(rng, sigma)))


def amount_between(rng: random.Random, low: float, high: float) -> Decimal:
    """An amount spread evenly on a log scale between low and high (high excluded)."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    rounded = (Decimal(str(value)) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 100
    return min(max(rounded, Decimal(str(low))), Decimal(str(high)) - 100)


def exact_split(
    rng: random.Random, n: int, total: Decimal, *, floor: Decimal, sigma: float = 1.2
) -> list[Decimal]:
    """n long-tailed amounts, each ≥ floor, summing exactly to total (a multiple of 100万)."""
    if n == 0:
        if total:
            raise ValueError("no amounts to carry a non-zero total")
        return []
    excess = total - floor * n
    if excess < 0:
        raise ValueError(f"{n} amounts of at least {floor} exceed {total}")
    weights = [long_tail(rng, sigma) for _ in range(n)]
    scale = float(excess) / sum(weights)
    amounts = [max(floor, ledger_round(float(floor) + scale * w)) for w in weights]
    # The rounding residue goes to the largest amount, which hardly notices it.
    residue = total - sum(amounts)
    largest = max(range(n), key=lambda i: amounts[i])
    amounts[largest] += residue
    if amounts[largest] < floor:  # pragma: no cover - only with absurd inputs
        raise ValueError("cannot split the total")
    return amounts


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson count (Knuth's method; fine for the small rates used here)."""
    if lam <= 0:
        return 0
    if lam > 60:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def months(start: date, end: date) -> list[date]:
    """The first day of every month from start's month to end's month."""
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def working_day(rng: random.Random, first: date, last: date) -> date:
    """A day between first and last (inclusive), mostly a weekday."""
    if last < first:
        last = first
    for _attempt in range(6):
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        if day.weekday() < 5 or rng.random() < 0.08:
            return day
    return day


def day_in_month(rng: random.Random, month: date, *, until: date | None = None) -> date:
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    if until is not None and until < last:
        last = until
    return working_day(rng, month, last)


def after(rng: random.Random, day: date, low: int, high: int, mode: int | None = None) -> date:
    """A day `low`..`high` days after `day` (triangular, most likely `mode`)."""
    mode = (low + high) // 3 if mode is None else mode
    return day + timedelta(days=max(1, round(rng.triangular(low, high, mode))))

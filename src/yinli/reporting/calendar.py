"""The reporting calendar: the schedules, the periods they generate and their deadlines.

A monthly period runs from the first to the last day of the month; a weekly period from Monday to
Sunday (code ``2025-W28``, the ISO week). The deadline is the period's last day plus the
schedule's ``due_days`` (5 days after a month ends: 2025-07 is due on 2025-08-05; February
2024 ends on the 29th, so it is due on 2024-03-05 all the same).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Frequency, ReportPeriod, Schedule

MONTHLY_CODE = "monthly"
WEEKLY_CODE = "major-weekly"
DEFAULT_MONTHLY_DUE_DAYS = 5
DEFAULT_WEEKLY_DUE_DAYS = 1
MAJOR_THRESHOLD_WAN = Decimal(100000)  # 10亿元

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=_stdlib_calendar.monthrange(day.year, day.month)[1])


def next_month(day: date) -> date:
    return (month_end(day) + timedelta(days=1)).replace(day=1)


def deadline_for(end: date, due_days: int) -> date:
    return end + timedelta(days=due_days)


def days_overdue(deadline: date, *, on: date) -> int:
    """Whole days past the deadline on `on` (0 while it is not yet passed)."""
    return max((on - deadline).days, 0)


def monthly_schedule() -> Schedule:
    schedule, _created = Schedule.objects.get_or_create(
        code=MONTHLY_CODE,
        defaults={
            "name": "月报",
            "frequency": Frequency.MONTHLY,
            "due_days": DEFAULT_MONTHLY_DUE_DAYS,
        },
    )
    return schedule


def weekly_schedule() -> Schedule:
    schedule, _created = Schedule.objects.get_or_create(
        code=WEEKLY_CODE,
        defaults={
            "name": "重大项目周报",
            "frequency": Frequency.WEEKLY,
            "due_days": DEFAULT_WEEKLY_DUE_DAYS,
            "major_threshold_wan": MAJOR_THRESHOLD_WAN,
        },
    )
    return schedule


def parse_code(code: str) -> tuple[str, date, date]:
    """("monthly" | "weekly", start, end) of a period code ``2025-07`` or ``2025-W28``."""
    text = (code or "").strip()
    found = _MONTH.match(text)
    if found and 1 <= int(found[2]) <= 12 and 1900 <= int(found[1]) <= 2999:
        start = date(int(found[1]), int(found[2]), 1)
        return Frequency.MONTHLY, start, month_end(start)
    found = _WEEK.match(text)
    if found:
        try:
            start = date.fromisocalendar(int(found[1]), int(found[2]), 1)
        except ValueError:
            start = None
        if start:
            return Frequency.WEEKLY, start, start + timedelta(days=6)
    raise ValidationError(
        _("“%(code)s” is not a reporting period; write a month as 2025-07 or a week as 2025-W28.")
        % {"code": text},
        code="period",
    )


def period_code(frequency: str, start: date) -> str:
    if frequency == Frequency.MONTHLY:
        return f"{start.year}-{start.month:02d}"
    year, week, _day = start.isocalendar()
    return f"{year}-W{week:02d}"


def period_for(code: str) -> ReportPeriod:
    """The period of a code, created (with its deadline) the first time it is asked for."""
    frequency, start, end = parse_code(code)
    schedule = monthly_schedule() if frequency == Frequency.MONTHLY else weekly_schedule()
    canonical = period_code(frequency, start)
    period, _created = ReportPeriod.objects.get_or_create(
        schedule=schedule,
        code=canonical,
        defaults={"start": start, "end": end, "deadline": deadline_for(end, schedule.due_days)},
    )
    return period


def month_period(day: date) -> ReportPeriod:
    return period_for(period_code(Frequency.MONTHLY, day))


def generate(*, schedule: Schedule, start: date, end: date) -> list[ReportPeriod]:
    """Every period of `schedule` that begins within [start, end], created where missing."""
    periods = []
    if schedule.frequency == Frequency.MONTHLY:
        day = month_start(start)
        step = next_month
    else:
        day = start - timedelta(days=start.weekday())
        if day < start:
            day += timedelta(days=7)

        def step(d: date) -> date:
            return d + timedelta(days=7)

    while day <= end:
        code = period_code(schedule.frequency, day)
        period_end = (
            month_end(day) if schedule.frequency == Frequency.MONTHLY else day + timedelta(6)
        )
        period, _created = ReportPeriod.objects.get_or_create(
            schedule=schedule,
            code=code,
            defaults={
                "start": day,
                "end": period_end,
                "deadline": deadline_for(period_end, schedule.due_days),
            },
        )
        periods.append(period)
        day = step(day)
    return periods


def change_due_days(*, schedule: Schedule, due_days: int, from_day: date | None = None) -> int:
    """Set the schedule's due days; periods ending on or after `from_day` get the new deadline.

    Returns how many periods were moved. Periods before `from_day` keep theirs (a deadline
    already past is history)."""
    if due_days < 0 or due_days > 60:
        raise ValidationError(
            {"due_days": _("The days after the period must be between 0 and 60.")}
        )
    schedule.due_days = due_days
    schedule.save(update_fields=["due_days"])
    moved = 0
    for period in schedule.periods.filter(end__gte=from_day or date.min):
        period.deadline = deadline_for(period.end, due_days)
        period.save(update_fields=["deadline"])
        moved += 1
    return moved

"""The reporting calendar: deadlines at month ends and in leap years, weeks, days overdue,
reminders (催报) and the text the city copies into its notice."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from yinli.reporting import calendar, selectors
from yinli.reporting.models import Report


@pytest.mark.parametrize(
    ("code", "end", "deadline"),
    [
        ("2025-01", date(2025, 1, 31), date(2025, 2, 5)),
        ("2024-02", date(2024, 2, 29), date(2024, 3, 5)),  # leap year
        ("2025-02", date(2025, 2, 28), date(2025, 3, 5)),
        ("2100-02", date(2100, 2, 28), date(2100, 3, 5)),  # no leap year (century)
        ("2000-02", date(2000, 2, 29), date(2000, 3, 5)),  # leap year (400)
        ("2025-04", date(2025, 4, 30), date(2025, 5, 5)),
        ("2025-12", date(2025, 12, 31), date(2026, 1, 5)),  # into the next year
        ("2025-7", date(2025, 7, 31), date(2025, 8, 5)),
    ],
)
def test_monthly_deadlines(db, code, end, deadline):
    period = calendar.period_for(code)
    assert (period.end, period.deadline) == (end, deadline)
    assert period.start == end.replace(day=1)


def test_weekly_periods_run_monday_to_sunday(db):
    period = calendar.period_for("2025-W01")
    assert (period.start, period.end) == (date(2024, 12, 30), date(2025, 1, 5))
    assert period.deadline == date(2025, 1, 6)
    assert calendar.period_for("2020-W53").end == date(2021, 1, 3)  # a 53-week year


@pytest.mark.parametrize("code", ["2025-13", "2025-00", "2025", "七月", "2025-W54", "2021-W53", ""])
def test_a_bad_period_is_explained(db, code):
    with pytest.raises(ValidationError) as error:
        calendar.period_for(code)
    assert "2025-07" in error.value.messages[0]


def test_the_deadline_is_a_setting_of_the_schedule(db):
    past = calendar.period_for("2025-05")
    future = calendar.period_for("2025-09")
    moved = calendar.change_due_days(
        schedule=calendar.monthly_schedule(), due_days=10, from_day=date(2025, 8, 10)
    )
    past.refresh_from_db()
    future.refresh_from_db()
    assert moved == 1
    assert past.deadline == date(2025, 6, 5)  # a deadline already past stays
    assert future.deadline == date(2025, 10, 10)
    assert calendar.period_for("2025-10").deadline == date(2025, 11, 10)
    with pytest.raises(ValidationError):
        calendar.change_due_days(schedule=calendar.monthly_schedule(), due_days=99)


def test_generate_makes_every_month_and_week_of_a_range(db):
    months = calendar.generate(
        schedule=calendar.monthly_schedule(), start=date(2024, 1, 1), end=date(2024, 12, 31)
    )
    assert [p.code for p in months][:3] == ["2024-01", "2024-02", "2024-03"] and len(months) == 12
    weeks = calendar.generate(
        schedule=calendar.weekly_schedule(), start=date(2025, 7, 1), end=date(2025, 7, 31)
    )
    assert [w.code for w in weeks] == ["2025-W28", "2025-W29", "2025-W30", "2025-W31"]


@pytest.mark.parametrize(
    ("today", "days"),
    [(date(2025, 3, 5), 0), (date(2025, 3, 6), 1), (date(2025, 4, 1), 27)],
)
def test_days_overdue_count_from_the_deadline(db, today, days):
    period = calendar.period_for("2025-02")
    assert calendar.days_overdue(period.deadline, on=today) == days


def test_reminders_list_the_districts_not_submitted(city, cycle):
    calendar.period_for("2025-03")
    cycle.submitted(city.jingkou, "2025-03")
    items = selectors.overdue(user=city.analyst, today=date(2025, 4, 9))
    assert [(i.district.code, i.period.code, i.days_overdue) for i in items] == [
        ("jingkai", "2025-03", 4),
        ("runzhou", "2025-03", 4),
    ]
    text = selectors.reminder_text(items, today=date(2025, 4, 9))
    lines = text.splitlines()
    assert lines[0].startswith("截至2025年4月9日")
    assert lines[1] == "镇江经开区：2025年3月月报（截止2025-04-05），已逾期4天"
    assert len(lines) == 3


def test_reminders_are_scoped(city, cycle):
    calendar.period_for("2025-03")
    cycle.submitted(city.jingkou, "2025-03")
    mine = selectors.overdue(user=city.jingkai_editor, today=date(2025, 4, 9))
    assert [i.district.code for i in mine] == ["jingkai"]
    assert selectors.overdue(user=city.jingkou_editor, today=date(2025, 4, 9)) == []
    assert [
        i.district.code for i in selectors.overdue(user=city.team_member, today=date(2025, 4, 9))
    ] == ["jingkai"]


def test_reminders_run_from_the_first_month_submitted(city, cycle):
    for code in ("2025-01", "2025-02", "2025-03"):
        calendar.period_for(code)
    # nothing submitted yet: only the month most recently due is reminded
    items = selectors.overdue(user=city.analyst, today=date(2025, 4, 9))
    assert {i.period.code for i in items} == {"2025-03"}
    cycle.submitted(city.jingkou, "2025-02")
    items = selectors.overdue(user=city.analyst, today=date(2025, 4, 9))
    assert {i.period.code for i in items} == {"2025-02", "2025-03"}
    assert items[0].days_overdue == 35  # Feb is due 2025-03-05: 26 days of March + 9


def test_nothing_overdue_says_so(city):
    assert selectors.reminder_text([], today=date(2025, 4, 9)).endswith("均已按时报送。")


def test_a_draft_is_still_overdue(city):
    period = calendar.period_for("2025-03")
    Report.objects.create(period=period, district=city.jingkou)
    items = selectors.overdue(user=city.analyst, today=date(2025, 4, 6))
    assert "jingkou" in {i.district.code for i in items}

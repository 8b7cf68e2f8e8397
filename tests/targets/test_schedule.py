"""Schedule arithmetic (时序进度): month ends, leap years, quarters and custom breakdowns."""

from datetime import date
from decimal import Decimal

from yinli.targets.schedule import (
    due_between,
    due_by,
    monthly_amounts,
    progress,
    progress_words,
)

TWELVE = Decimal(12)


def even(annual="120"):
    return monthly_amounts(annual=Decimal(annual), breakdown="even_months", parts=[])


def test_half_the_year_is_due_on_30_june():
    assert due_by(year=2025, months=even(), on=date(2025, 6, 30)) == Decimal(60)


def test_seven_twelfths_are_due_on_31_july_and_show_as_58_3():
    result = progress(
        annual=Decimal(12),
        months=even("12"),
        year=2025,
        on=date(2025, 7, 31),
        actual=Decimal("7.344"),
    )
    assert result.due == Decimal(7)
    assert result.wording() == "时序进度58.3%，完成61.2%，超序时2.9个百分点"


def test_29_february_2024_closes_february_in_a_leap_year():
    assert due_by(year=2024, months=even(), on=date(2024, 2, 29)) == Decimal(20)


def test_28_february_2024_is_28_of_29_days_of_february():
    expected = Decimal(10) + Decimal(10) * Decimal(28) / Decimal(29)
    assert due_by(year=2024, months=even(), on=date(2024, 2, 28)) == expected


def test_28_february_2025_closes_february_in_a_common_year():
    assert due_by(year=2025, months=even(), on=date(2025, 2, 28)) == Decimal(20)


def test_the_middle_of_a_month_counts_its_elapsed_days():
    # 15 April: three months and 15 of April's 30 days.
    assert due_by(year=2025, months=even(), on=date(2025, 4, 15)) == Decimal(35)


def test_nothing_is_due_before_the_year_and_everything_after_it():
    assert due_by(year=2025, months=even(), on=date(2024, 12, 31)) == 0
    assert due_by(year=2025, months=even(), on=date(2026, 3, 1)) == Decimal(120)
    assert due_by(year=2025, months=even(), on=date(2025, 12, 31)) == Decimal(120)


def test_a_quarter_is_spread_evenly_over_its_three_months():
    months = monthly_amounts(
        annual=Decimal(100), breakdown="quarters", parts=["10", "20", "30", "40"]
    )
    assert due_by(year=2025, months=months, on=date(2025, 3, 31)) == Decimal(10)
    assert (
        due_by(year=2025, months=months, on=date(2025, 5, 31)) == Decimal(10) + Decimal(20) * 2 / 3
    )
    assert due_by(year=2025, months=months, on=date(2025, 6, 30)) == Decimal(30)


def test_even_quarters_equal_even_months_at_quarter_ends():
    quarters = monthly_amounts(annual=Decimal(120), breakdown="even_quarters", parts=[])
    assert due_by(year=2025, months=quarters, on=date(2025, 9, 30)) == Decimal(90)


def test_a_custom_month_breakdown_follows_the_months_set():
    parts = ["0", "0", "5", "5", "10", "20", "10", "10", "10", "10", "10", "10"]
    months = monthly_amounts(annual=Decimal(100), breakdown="months", parts=parts)
    assert due_by(year=2025, months=months, on=date(2025, 6, 30)) == Decimal(40)
    assert due_by(year=2025, months=months, on=date(2025, 2, 28)) == 0


def test_due_between_is_the_part_of_the_schedule_in_the_period():
    assert due_between(
        year=2025, months=even(), start=date(2025, 4, 1), end=date(2025, 6, 30)
    ) == Decimal(30)
    assert due_between(
        year=2024, months=even(), start=date(2024, 2, 1), end=date(2024, 2, 29)
    ) == Decimal(10)


def test_behind_schedule_is_said_as_luohou():
    assert progress_words(Decimal(50), Decimal("41.26"), Decimal("-8.74")) == (
        "时序进度50.0%，完成41.3%，落后序时8.7个百分点"
    )


def test_points_ahead_come_from_the_unrounded_percentages():
    # 50.04 − 50.0 = 0.04 → rounds to 0.0: level with the schedule.
    assert progress_words(Decimal(50), Decimal("50.04"), Decimal("0.04")).endswith("与序时进度持平")


def test_a_zero_target_has_no_percentages():
    result = progress(
        annual=Decimal(0), months=even("0"), year=2025, on=date(2025, 6, 30), actual=3
    )
    assert result.done_pct is None and result.schedule_pct is None
    assert result.wording() == "无目标值"

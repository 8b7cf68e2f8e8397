from datetime import date

import pytest

from yinli.stats.periods import PeriodError, parse_period, previous_year, years_back


@pytest.mark.parametrize(
    ("text", "start", "end", "code", "label", "short"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "2025", "2025年", "全年"),
        ("2025H1", date(2025, 1, 1), date(2025, 6, 30), "2025H1", "2025年上半年", "上半年"),
        ("2025h2", date(2025, 7, 1), date(2025, 12, 31), "2025H2", "2025年下半年", "下半年"),
        ("2025Q3", date(2025, 7, 1), date(2025, 9, 30), "2025Q3", "2025年三季度", "三季度"),
        ("2025Q1", date(2025, 1, 1), date(2025, 3, 31), "2025Q1", "2025年一季度", "一季度"),
        ("2025-07", date(2025, 7, 1), date(2025, 7, 31), "2025-07", "2025年7月", "7月"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02", "2024年2月", "2月"),
        (
            "2025-01..2025-08",
            date(2025, 1, 1),
            date(2025, 8, 31),
            "2025-01..2025-08",
            "2025年1-8月",
            "1-8月",
        ),
        (
            "2024-11..2025-02",
            date(2024, 11, 1),
            date(2025, 2, 28),
            "2024-11..2025-02",
            "2024年11月至2025年2月",
            "2024年11月至2025年2月",
        ),
        (
            "2025-01-01..2025-06-30",
            date(2025, 1, 1),
            date(2025, 6, 30),
            "2025-01-01..2025-06-30",
            "2025年1月1日至6月30日",
            "2025年1月1日至6月30日",
        ),
        (
            "2024-12-01..2025-02-28",
            date(2024, 12, 1),
            date(2025, 2, 28),
            "2024-12-01..2025-02-28",
            "2024年12月1日至2025年2月28日",
            "2024年12月1日至2025年2月28日",
        ),
    ],
)
def test_it_reads_each_form_of_period(text, start, end, code, label, short):
    period = parse_period(text)
    assert (period.start, period.end, period.code) == (start, end, code)
    assert period.label() == label
    assert period.short_label() == short


def test_one_month_of_months_is_that_month():
    assert parse_period("2025-03..2025-03").code == "2025-03"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2025H3",
        "2025Q5",
        "2025-13",
        "2025-08..2025-01",
        "上半年",
        "2025-02-30..2025-03-01",
        "2025-06-30..2025-01-01",
        "0025",
    ],
)
def test_it_refuses_a_period_it_cannot_read(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_the_error_says_which_forms_are_accepted():
    with pytest.raises(PeriodError, match="2025H1"):
        parse_period("last summer")


@pytest.mark.parametrize(
    ("text", "before"),
    [
        ("2025", "2024"),
        ("2025H1", "2024H1"),
        ("2025Q3", "2024Q3"),
        ("2025-07", "2024-07"),
        ("2025-02", "2024-02"),
        ("2025-01..2025-08", "2024-01..2024-08"),
        ("2025-01-01..2025-06-30", "2024-01-01..2024-06-30"),
    ],
)
def test_the_same_period_a_year_before(text, before):
    assert previous_year(parse_period(text)).code == before


def test_february_of_a_leap_year_a_year_on_has_its_full_month():
    assert previous_year(parse_period("2025-02")).end == date(2024, 2, 29)


def test_29_february_a_year_before_is_the_28th():
    period = previous_year(parse_period("2024-02-01..2024-02-29"))
    assert (period.start, period.end) == (date(2023, 2, 1), date(2023, 2, 28))


def test_the_window_of_the_last_three_years_ends_with_the_period():
    window = years_back(parse_period("2025H1"), 3)
    assert (window.start, window.end) == (date(2023, 1, 1), date(2025, 6, 30))


def test_period_words_come_from_the_definition():
    words = {"halves": ["1至6月", "7至12月"]}
    assert parse_period("2025H1").short_label(words) == "1至6月"

"""Specification of the amount and date parsers used by forms and ledger import."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from yinli.core.parsing import (
    Amount,
    ParsedDate,
    format_amount,
    is_blank,
    parse_amount,
    parse_date,
    parse_optional_amount,
    parse_optional_date,
    wan_to_yi,
    yi_to_wan,
)


@pytest.fixture(autouse=True, scope="module")
def _minimal_settings() -> None:
    """Messages go through gettext, which needs settings; run alone (``-p no:django``) the
    project's settings are not loaded, so configure the least that gettext needs."""
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def error_of(func: Callable[..., Any], *args: Any, **kwargs: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------------------
# Amounts: units and currencies
# ---------------------------------------------------------------------------


def test_yi_yuan_is_stored_in_wan() -> None:
    assert parse_amount("3.5亿元") == Amount(Decimal("35000"), "CNY", "亿元", False)


def test_wan_yuan_is_kept_as_is() -> None:
    assert parse_amount("5000万元").value == Decimal("5000")


def test_yi_without_a_currency_is_renminbi() -> None:
    amount = parse_amount("1.2亿")
    assert (amount.value, amount.currency) == (Decimal("12000"), "CNY")


def test_wan_yi_is_understood() -> None:
    assert parse_amount("1.5万亿").value == Decimal("150000000")


@pytest.mark.parametrize(
    ("text", "value", "currency", "unit_label"),
    [
        ("2亿美元", "20000", "USD", "亿美元"),
        ("800万欧元", "800", "EUR", "万欧元"),
        ("100万港币", "100", "HKD", "万港元"),
        ("100万港元", "100", "HKD", "万港元"),
        ("50亿日元", "500000", "JPY", "亿日元"),
        ("3亿韩元", "30000", "KRW", "亿韩元"),
        ("2000万英镑", "2000", "GBP", "万英镑"),
        ("0.8亿元人民币", "8000", "CNY", "亿元"),
    ],
)
def test_currency_words_after_the_number(
    text: str, value: str, currency: str, unit_label: str
) -> None:
    amount = parse_amount(text)
    assert (amount.value, amount.currency, amount.unit_label) == (
        Decimal(value),
        currency,
        unit_label,
    )


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$5M", "500", "USD"),
        ("USD 5 million", "500", "USD"),
        ("5 billion yuan", "500000", "CNY"),
        ("€2.5m", "250", "EUR"),
    ],
)
def test_english_magnitudes_after_arabic_digits(text: str, value: str, currency: str) -> None:
    amount = parse_amount(text)
    assert (amount.value, amount.currency) == (Decimal(value), currency)


def test_a_currency_word_after_a_bare_number_means_single_units() -> None:
    assert parse_amount("5000元").value == Decimal("0.5")
    assert parse_amount("5000美元") == Amount(Decimal("0.5"), "USD", "美元", False)


def test_a_currency_before_the_number_keeps_the_default_unit() -> None:
    assert parse_amount("人民币3000").value == Decimal("3000")


def test_a_magnitude_without_a_currency_takes_the_default_currency() -> None:
    amount = parse_amount("2亿", default_unit="万美元")
    assert (amount.value, amount.currency) == (Decimal("20000"), "USD")


def test_unit_label_is_the_default_unit_for_a_bare_number() -> None:
    assert parse_amount("12000").unit_label == "万元"
    assert parse_amount("12000", default_unit="亿元").unit_label == "亿元"


# ---------------------------------------------------------------------------
# Amounts: how numbers are written
# ---------------------------------------------------------------------------


def test_bare_number_is_in_the_default_unit() -> None:
    assert parse_amount("12000").value == Decimal("12000")


def test_bare_number_in_a_yi_column_is_converted_to_wan() -> None:
    assert parse_amount("12000", default_unit="亿元").value == Decimal("120000000")


def test_bare_number_in_a_yuan_column_is_converted_to_wan() -> None:
    assert parse_amount("12000", default_unit="元").value == Decimal("1.2")


@pytest.mark.parametrize("text", ["12,000万", "12，000万", "12 000万", "12000万"])
def test_thousands_separators_are_ignored(text: str) -> None:
    assert parse_amount(text).value == Decimal("12000")


@pytest.mark.parametrize("text", ["12,00", "1,2000万", "12345,678"])
def test_a_misplaced_thousands_separator_is_refused(text: str) -> None:
    assert error_of(parse_amount, text).code == "invalid_amount"


@pytest.mark.parametrize(("text", "value"), [("１２０００", "12000"), ("３．５亿元", "35000")])
def test_full_width_digits_and_points_are_read(text: str, value: str) -> None:
    assert parse_amount(text).value == Decimal(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("八千万元", "8000"),
        ("三亿五千万", "35000"),
        ("两千万", "2000"),
        ("一千零五万", "1005"),
        ("十二万元", "12"),
        ("一亿零五十万元", "10050"),
        ("壹亿贰仟万元", "12000"),
        ("一二〇〇〇", "12000"),
    ],
)
def test_chinese_numerals_are_read(text: str, value: str) -> None:
    assert parse_amount(text).value == Decimal(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [("3亿5000万", "35000"), ("1.5千万", "1500"), ("5千万元", "5000"), ("1万2345元", "1.2345")],
)
def test_arabic_digits_mix_with_chinese_units(text: str, value: str) -> None:
    assert parse_amount(text).value == Decimal(value)


@pytest.mark.parametrize("text", ["三千五", "一亿五", "1万5", "3亿5000"])
def test_colloquial_elisions_are_refused_rather_than_guessed(text: str) -> None:
    assert error_of(parse_amount, text).code == "invalid_amount"


@pytest.mark.parametrize("text", ["abc", "待定", "亿元", "3万2亿", "五百三千", "3.5.1亿"])
def test_unreadable_text_is_refused(text: str) -> None:
    error = error_of(parse_amount, text)
    assert error.code == "invalid_amount"
    assert error.params == {"text": text}


def test_the_error_message_names_the_text() -> None:
    assert "待定" in error_of(parse_amount, "待定").messages[0]


@pytest.mark.parametrize(
    "text", ["约3亿", "近3亿元", "超3亿元", "逾3亿", "3亿元以上", "3亿多元", "3亿余元", "3亿左右"]
)
def test_approximation_words_are_dropped_and_flagged(text: str) -> None:
    amount = parse_amount(text)
    assert (amount.value, amount.approximate) == (Decimal("30000"), True)


def test_an_exact_amount_is_not_approximate() -> None:
    assert parse_amount("3亿元").approximate is False


@pytest.mark.parametrize("text", ["3-5亿", "3亿-5亿", "3~5亿元", "3至5亿", "3—5亿", "三到五亿"])
def test_a_range_is_refused(text: str) -> None:
    error = error_of(parse_amount, text)
    assert error.code == "amount_range"
    assert text in error.messages[0]


@pytest.mark.parametrize("text", ["100万卢比", "5000比特币"])
def test_an_unknown_currency_is_named_as_such(text: str) -> None:
    error = error_of(parse_amount, text)
    assert error.code == "unknown_currency"
    assert text in error.messages[0]


def test_two_currencies_in_one_amount_are_refused() -> None:
    assert error_of(parse_amount, "美元100万元").code == "currency_conflict"


def test_a_negative_amount_is_refused() -> None:
    error = error_of(parse_amount, "-300万")
    assert error.code == "negative_amount"
    assert "-300万" in error.messages[0]


def test_a_negative_amount_is_read_when_allowed() -> None:
    assert parse_amount("-300万", allow_negative=True).value == Decimal("-300")


@pytest.mark.parametrize("text", ["", "  ", "—", "无", "暂无"])
def test_parse_amount_refuses_a_blank_cell(text: str) -> None:
    assert error_of(parse_amount, text).code == "required"


@pytest.mark.parametrize("cell", [None, "", " ", "-", "—", "／", "/", "无", "暂无", float("nan")])
def test_parse_optional_amount_gives_none_for_a_blank_cell(cell: Any) -> None:
    assert parse_optional_amount(cell) is None


def test_parse_optional_amount_reads_a_filled_cell() -> None:
    assert parse_optional_amount("3亿元") == parse_amount("3亿元")


def test_parse_optional_amount_still_refuses_garbage() -> None:
    assert error_of(parse_optional_amount, "待定").code == "invalid_amount"


@pytest.mark.parametrize(
    "cell", [None, "", "—", "暂无", float("nan")], ids=["none", "empty", "dash", "zanwu", "nan"]
)
def test_blank_cells(cell: Any) -> None:
    assert is_blank(cell)


@pytest.mark.parametrize("cell", [0, "0", "3亿", 0.0])
def test_zero_is_not_blank(cell: Any) -> None:
    assert not is_blank(cell)


# ---------------------------------------------------------------------------
# Amounts: numbers from spreadsheets
# ---------------------------------------------------------------------------


def test_an_int_is_in_the_default_unit() -> None:
    assert parse_amount(12000).value == Decimal("12000")


def test_a_decimal_is_in_the_default_unit() -> None:
    assert parse_amount(Decimal("1.5"), default_unit="亿元").value == Decimal("15000")


def test_a_float_is_read_through_its_shortest_text() -> None:
    # Decimal(3.3) would be 3.29999999999999982236431605997495353221893310546875.
    assert parse_amount(3.3).value == Decimal("3.3")


@pytest.mark.parametrize("value", [float("inf"), float("nan"), Decimal("NaN"), True])
def test_non_numbers_are_refused(value: Any) -> None:
    assert error_of(parse_amount, value).code == "invalid_amount"


def test_an_unknown_default_unit_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_amount("1", default_unit="斤")


# ---------------------------------------------------------------------------
# Amounts: conversions and display
# ---------------------------------------------------------------------------


def test_yi_to_wan() -> None:
    assert yi_to_wan(Decimal("3.5")) == Decimal("35000")


def test_wan_to_yi_is_exact() -> None:
    assert wan_to_yi(Decimal("12345")) == Decimal("1.2345")


def test_conversions_refuse_floats() -> None:
    with pytest.raises(TypeError):
        wan_to_yi(1.5)  # type: ignore[arg-type]


def test_amount_in_yi() -> None:
    assert parse_amount("3.5亿元").yi == Decimal("3.5")


def test_format_amount_defaults_to_yi_with_two_places() -> None:
    assert format_amount(Decimal("35000")) == "3.50亿元"


def test_format_amount_rounds_half_up() -> None:
    # 1.225亿: half-even would give 1.22.
    assert format_amount(Decimal("12250")) == "1.23亿元"


def test_format_amount_in_wan() -> None:
    assert format_amount(Decimal("12345.65"), "万元", 1) == "12345.7万元"


def test_format_amount_with_grouping() -> None:
    assert format_amount(Decimal("123456789"), "万元", 0, grouping=True) == "123,456,789万元"


def test_format_amount_without_unit() -> None:
    assert format_amount(Decimal("35000"), with_unit=False) == "3.50"


def test_format_amount_never_shows_minus_zero() -> None:
    assert format_amount(Decimal("-0.001")) == "0.00亿元"


wan_values = st.decimals(
    min_value=Decimal(0), max_value=Decimal("1e9"), places=4, allow_nan=False, allow_infinity=False
)


@given(
    value=wan_values,
    unit=st.sampled_from(["亿元", "万元", "元", "万美元"]),
    places=st.integers(0, 4),
    grouping=st.booleans(),
)
def test_formatted_amounts_read_back_to_the_rounded_value(
    value: Decimal, unit: str, places: int, grouping: bool
) -> None:
    text = format_amount(value, unit, places, grouping=grouping)
    per_unit = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001")}
    step = Decimal(1).scaleb(-places)
    scale = per_unit.get(unit, Decimal(1))
    expected = (value / scale).quantize(step, rounding=ROUND_HALF_UP) * scale
    parsed = parse_amount(text)
    assert parsed.value == expected
    assert abs(parsed.value - value) <= step * scale / 2


@given(value=wan_values)
def test_a_plain_decimal_text_reads_back_exactly(value: Decimal) -> None:
    assert parse_amount(f"{value:f}").value == value


_CN_DIGITS = "零一二三四五六七八九"


def _chinese_section(number: int, *, leading: bool) -> str:
    text, zero = "", False
    for unit, divisor in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit = number // divisor % 10
        if digit == 0:
            zero = zero or bool(text)
            continue
        if zero:
            text, zero = text + "零", False
        text += (
            unit
            if (unit == "十" and digit == 1 and not text and leading)
            else (_CN_DIGITS[digit] + unit)
        )
    return text


def _chinese_numeral(number: int) -> str:
    """The standard Chinese numeral of 0 < number < 10**12 (一亿零五十万, 十二万, …)."""
    yi, rest = divmod(number, 10**8)
    wan, units = divmod(rest, 10**4)
    parts: list[str] = []
    gap = False
    for value, unit in ((yi, "亿"), (wan, "万"), (units, "")):
        if value == 0:
            gap = gap or bool(parts)
            continue
        if parts and (gap or value < 1000):
            parts.append("零")
        parts.append(_chinese_section(value, leading=not parts) + unit)
        gap = False
    return "".join(parts)


@given(st.integers(min_value=1, max_value=10**12 - 1))
def test_chinese_numerals_read_back_to_their_value(number: int) -> None:
    assert parse_amount(_chinese_numeral(number) + "元").value == Decimal(number) / 10000


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

MARCH_12 = datetime.date(2025, 3, 12)


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-12",
        "2025-3-12",
        "2025/03/12",
        "2025.3.12",
        "2025年3月12日",
        "2025年3月12号",
        "20250312",
        " 2025-03-12 ",
        "2025 年 3 月 12 日",
        "２０２５年３月１２日",
        "2025-03-12 10:30:00",
        "2025-03-12T10:30",
        "二〇二五年三月十二日",
    ],
)
def test_a_day_is_read_in_every_usual_format(text: str) -> None:
    assert parse_date(text) == ParsedDate(MARCH_12, "day")


@pytest.mark.parametrize("text", ["2025-03", "2025-3", "2025.03", "2025/3", "2025年3月", "202503"])
def test_a_month_is_read_as_its_first_day(text: str) -> None:
    assert parse_date(text) == ParsedDate(datetime.date(2025, 3, 1), "month")


def test_a_month_is_refused_when_a_day_is_needed() -> None:
    error = error_of(parse_date, "2025年3月", allow_month=False)
    assert error.code == "month_only"
    assert "2025年3月" in error.messages[0]


@pytest.mark.parametrize("text", ["2025年", "2025"])
def test_a_year_alone_is_refused_by_default(text: str) -> None:
    assert error_of(parse_date, text).code == "year_only"


def test_a_year_alone_is_read_when_allowed() -> None:
    assert parse_date("2025年", allow_year=True) == ParsedDate(datetime.date(2025, 1, 1), "year")


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13-01", "2025-02-29", "2025年4月31日"])
def test_a_day_that_does_not_exist_is_refused(text: str) -> None:
    error = error_of(parse_date, text)
    assert error.code == "nonexistent_date"
    assert text in error.messages[0]


@pytest.mark.parametrize("text", ["25.3.12", "25-03-12", "25年3月"])
def test_a_two_digit_year_is_refused(text: str) -> None:
    assert error_of(parse_date, text).code == "two_digit_year"


@pytest.mark.parametrize("text", ["12/03/2025", "3月12日", "下周一", "2025-03-12-01"])
def test_unreadable_dates_are_refused(text: str) -> None:
    error = error_of(parse_date, text)
    assert error.code == "invalid_date"
    assert text in error.messages[0]


def test_parse_date_refuses_a_blank_cell() -> None:
    assert error_of(parse_date, "").code == "required"


@pytest.mark.parametrize("cell", [None, "", "—", "无", float("nan")])
def test_parse_optional_date_gives_none_for_a_blank_cell(cell: Any) -> None:
    assert parse_optional_date(cell) is None


def test_parse_optional_date_reads_a_filled_cell() -> None:
    assert parse_optional_date("2025-03-12") == ParsedDate(MARCH_12, "day")


def test_a_date_object_is_taken_as_is() -> None:
    assert parse_date(MARCH_12) == ParsedDate(MARCH_12, "day")


def test_a_naive_datetime_gives_its_date() -> None:
    assert parse_date(datetime.datetime(2025, 3, 12, 23, 59)).date == MARCH_12


def test_an_aware_datetime_is_taken_in_shanghai() -> None:
    evening_in_utc = datetime.datetime(2025, 3, 11, 20, 0, tzinfo=datetime.UTC)
    assert parse_date(evening_in_utc).date == MARCH_12


@pytest.mark.parametrize(
    ("serial", "day"),
    [
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),
        (45000, datetime.date(2023, 3, 15)),
        (45728, MARCH_12),
        (2958465, datetime.date(9999, 12, 31)),
    ],
)
def test_excel_serial_numbers(serial: int, day: datetime.date) -> None:
    assert parse_date(serial) == ParsedDate(day, "day")


def test_excel_serial_60_is_the_leap_day_that_never_was() -> None:
    assert error_of(parse_date, 60).code == "nonexistent_date"


def test_the_time_of_an_excel_serial_is_dropped() -> None:
    assert parse_date(45728.99).date == MARCH_12


def test_an_excel_serial_stored_as_text_is_read() -> None:
    assert parse_date("45728").date == MARCH_12


@pytest.mark.parametrize("serial", [0, -1, 2958466, float("inf"), True])
def test_serials_outside_the_excel_range_are_refused(serial: Any) -> None:
    assert error_of(parse_date, serial).code == "invalid_date"


def test_parsed_date_prints_at_its_precision() -> None:
    assert str(ParsedDate(MARCH_12, "day")) == "2025-03-12"
    assert str(ParsedDate(datetime.date(2025, 3, 1), "month")) == "2025-03"
    assert str(ParsedDate(datetime.date(2025, 1, 1), "year")) == "2025"


DAY_FORMATS: list[Callable[[datetime.date], str]] = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month}月{d.day}号",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: d.isoformat().translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
]
MONTH_FORMATS: list[Callable[[datetime.date], str]] = [
    lambda d: f"{d.year}-{d.month:02d}",
    lambda d: f"{d.year}-{d.month}",
    lambda d: f"{d.year}.{d.month}",
    lambda d: f"{d.year}年{d.month}月",
    lambda d: f"{d.year}{d.month:02d}",
]
business_days = st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2199, 12, 31))


@given(day=business_days, write=st.sampled_from(DAY_FORMATS))
def test_every_day_reads_back_in_every_format(
    day: datetime.date, write: Callable[[datetime.date], str]
) -> None:
    assert parse_date(write(day)) == ParsedDate(day, "day")


@given(day=business_days, write=st.sampled_from(MONTH_FORMATS))
def test_every_month_reads_back_in_every_format(
    day: datetime.date, write: Callable[[datetime.date], str]
) -> None:
    assert parse_date(write(day)) == ParsedDate(day.replace(day=1), "month")


@given(day=business_days, time_of_day=st.floats(min_value=0, max_value=0.999))
def test_every_day_reads_back_from_its_excel_serial(day: datetime.date, time_of_day: float) -> None:
    serial = (day - datetime.date(1899, 12, 30)).days
    assert parse_date(serial).date == day
    assert parse_date(serial + time_of_day).date == day

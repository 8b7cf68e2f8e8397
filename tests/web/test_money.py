"""Amounts held in 万, shown in 万元 or 亿元 as the reader chose."""

from decimal import Decimal

import pytest

from yinli.core.parsing import parse_amount
from yinli.web.money import amount_for_input, money


@pytest.mark.parametrize(
    ("wan", "unit", "shown"),
    [
        (Decimal("35000"), "yi", "3.5亿元"),
        (Decimal("35000"), "wan", "35,000万元"),
        (Decimal("12345.678"), "wan", "12,345.68万元"),
        (Decimal("100000"), "yi", "10亿元"),
        (Decimal("1234"), "yi", "0.12亿元"),
        (Decimal("0"), "yi", "0亿元"),
    ],
)
def test_an_amount_is_shown_in_the_chosen_unit(wan, unit, shown):
    assert money(wan, unit) == shown


def test_a_missing_amount_is_a_dash():
    assert money(None, "yi") == "—"


def test_foreign_currencies_keep_their_name():
    assert money(Decimal("1500"), "wan", currency="USD") == "1,500万美元"
    assert money(Decimal("800"), "wan", currency="EUR") == "800万欧元"


@pytest.mark.parametrize(
    ("wan", "currency"),
    [
        (Decimal("35000"), "CNY"),
        (Decimal("0.5"), "CNY"),
        (Decimal("1500"), "USD"),
        (Decimal("800.25"), "EUR"),
    ],
)
def test_a_stored_amount_reads_back_from_the_form(wan, currency):
    amount = parse_amount(amount_for_input(wan, currency))
    assert (amount.value, amount.currency) == (wan, currency)

"""Showing amounts held in 万 the way the reader chose: 万元 or 亿元 (`User.amount_unit`)."""

from __future__ import annotations

from decimal import Decimal

from yinli.core.parsing import format_amount

# Chinese unit words for the currencies a project's agreed foreign investment may be in.
CURRENCY_WORDS = {
    "CNY": "元",
    "USD": "美元",
    "EUR": "欧元",
    "HKD": "港元",
    "MOP": "澳门元",
    "TWD": "新台币",
    "JPY": "日元",
    "KRW": "韩元",
    "GBP": "英镑",
    "SGD": "新加坡元",
    "CHF": "瑞士法郎",
    "AUD": "澳元",
    "CAD": "加元",
}

UNITS = ("yi", "wan")


def user_unit(user) -> str:
    unit = getattr(user, "amount_unit", None)
    return unit if unit in UNITS else "yi"


def _trim(number: str) -> str:
    """'12,000.50' → '12,000.5'; '12,000.00' → '12,000'."""
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number


def money(value_wan: Decimal | int | str | None, unit: str = "yi", *, currency: str = "CNY") -> str:
    """An amount held in 万 of `currency`, in 亿 or 万 of it: '3.5亿元', '12,000万元', '1,000万美元'."""
    if value_wan is None or value_wan == "":
        return "—"
    word = CURRENCY_WORDS.get(currency or "CNY", f" {currency}")
    if unit == "yi":
        number = format_amount(value_wan, "亿元", 2, grouping=True, with_unit=False)
        return f"{_trim(number)}亿{word}"
    number = format_amount(value_wan, "万元", 2, grouping=True, with_unit=False)
    return f"{_trim(number)}万{word}"


def unit_label(unit: str, currency: str = "CNY") -> str:
    word = CURRENCY_WORDS.get(currency or "CNY", currency)
    return ("亿" if unit == "yi" else "万") + word


def amount_for_input(value_wan: Decimal | None, currency: str = "CNY") -> str:
    """A stored amount written back into a form field so that it reads back to the same value."""
    if value_wan is None:
        return ""
    number = format(Decimal(value_wan).normalize(), "f")
    word = CURRENCY_WORDS.get(currency or "CNY")
    return f"{number}万{word}" if word else f"{number}万{currency}"

"""Reading amounts of money and dates as people type them into ledgers (台账).

Two families of functions:

* ``parse_amount`` / ``parse_optional_amount`` turn "3.5亿元", "八千万元", "800万欧元",
  "约3亿" or an Excel number into an :class:`Amount` whose ``value`` is a ``Decimal`` in 万
  (ten thousands) of its currency, the unit every project amount is stored in.
* ``parse_date`` / ``parse_optional_date`` turn "2025年3月12日", "2025.3", "20250312", an Excel
  serial number or a ``date`` into a :class:`ParsedDate` that remembers how precise the input was.

``parse_*`` raise ``ValidationError`` on anything they cannot read, blank cells included;
``parse_optional_*`` return ``None`` for a blank-ish cell (see :func:`is_blank`) and raise on
anything else they cannot read. Every error message names the offending text.

Money is never a float here: a float coming from a spreadsheet is converted through its
shortest ``repr`` (3.3 → Decimal("3.3")), never through its binary value.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = [
    "BLANK_MARKERS",
    "Amount",
    "ParsedDate",
    "format_amount",
    "is_blank",
    "parse_amount",
    "parse_date",
    "parse_optional_amount",
    "parse_optional_date",
    "wan_to_yi",
    "yi_to_wan",
]

# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------

#: Cell contents that mean "nothing entered" (compared after NFKC, trimming and lower-casing).
BLANK_MARKERS: frozenset[str] = frozenset(
    {"", "-", "--", "---", "—", "——", "–", "/", "\\", "无", "暂无", "空", "n/a", "na", "#n/a"}
)

_WAN = Decimal(10000)
_YI = Decimal(100000000)
_CONTEXT_PRECISION = 60


def _nfkc(text: str) -> str:
    """Full-width to half-width, ideographic space to space, then trim."""
    return unicodedata.normalize("NFKC", text).strip()


def is_blank(value: object) -> bool:
    """Whether a cell is empty or holds one of the usual "nothing here" marks.

    ``None``, a float NaN (an empty cell read through pandas) and any text in
    :data:`BLANK_MARKERS` ("", "-", "—", "/", "无", "暂无", …) are blank.
    """
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return _nfkc(value).lower() in BLANK_MARKERS
    return False


def _shown(value: object) -> str:
    """The text an error message quotes for a value."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (35000.0000 → 35000)."""
    if value == 0:
        return Decimal(0)
    normalized = value.normalize()
    if normalized.as_tuple().exponent > 0:  # type: ignore[operator]
        return normalized.quantize(Decimal(1))
    return normalized


def _float_to_decimal(value: float) -> Decimal:
    # repr() is the shortest text that reads back as the same float, so 3.3 stays 3.3.
    return Decimal(repr(value))


# ---------------------------------------------------------------------------
# Amounts
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    """An amount of money read from a ledger cell.

    ``value`` is in 万 (ten thousands) of ``currency``: "3.5亿元" is ``Decimal("35000")`` CNY,
    "2亿美元" is ``Decimal("20000")`` USD. ``unit_label`` is the unit the text was written in,
    spelled canonically ("亿元", "万美元", "万港元", "百万美元"); it is the default unit when the
    text had none. ``approximate`` is set when the text said 约/近/超/逾/以上/多/余/左右 or alike.
    """

    value: Decimal
    currency: str = "CNY"
    unit_label: str = "万元"
    approximate: bool = False

    @property
    def yi(self) -> Decimal:
        """The value in 亿 (hundred millions) of the currency."""
        return wan_to_yi(self.value)


# ISO 4217 code → canonical Chinese unit word.
_CURRENCY_UNIT_WORDS: dict[str, str] = {
    "CNY": "元",
    "USD": "美元",
    "EUR": "欧元",
    "HKD": "港元",
    "MOP": "澳门元",
    "TWD": "新台币",
    "JPY": "日元",
    "KRW": "韩元",
    "GBP": "英镑",
    "AUD": "澳元",
    "CAD": "加元",
    "SGD": "新加坡元",
    "CHF": "瑞士法郎",
}

# Every spelling of a currency we accept (lower-cased), → ISO 4217. Matched longest first.
_CURRENCY_TOKENS: dict[str, str] = {
    "元": "CNY",
    "人民币": "CNY",
    "人民币元": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "¥": "CNY",
    "yuan": "CNY",
    "美元": "USD",
    "美金": "USD",
    "usd": "USD",
    "us$": "USD",
    "$": "USD",
    "欧元": "EUR",
    "eur": "EUR",
    "€": "EUR",
    "港元": "HKD",
    "港币": "HKD",
    "港幣": "HKD",
    "hkd": "HKD",
    "hk$": "HKD",
    "澳门元": "MOP",
    "澳门币": "MOP",
    "澳门幣": "MOP",
    "mop": "MOP",
    "新台币": "TWD",
    "台币": "TWD",
    "twd": "TWD",
    "nt$": "TWD",
    "日元": "JPY",
    "日圆": "JPY",
    "jpy": "JPY",
    "韩元": "KRW",
    "韩币": "KRW",
    "krw": "KRW",
    "₩": "KRW",
    "英镑": "GBP",
    "gbp": "GBP",
    "£": "GBP",
    "澳元": "AUD",
    "澳大利亚元": "AUD",
    "aud": "AUD",
    "a$": "AUD",
    "加元": "CAD",
    "加拿大元": "CAD",
    "cad": "CAD",
    "c$": "CAD",
    "新加坡元": "SGD",
    "新元": "SGD",
    "sgd": "SGD",
    "s$": "SGD",
    "瑞士法郎": "CHF",
    "瑞郎": "CHF",
    "chf": "CHF",
}
_CURRENCY_TOKENS_LONGEST_FIRST = sorted(_CURRENCY_TOKENS, key=len, reverse=True)

_APPROX_PREFIXES = sorted(
    ["约", "大约", "大概", "近", "将近", "接近", "超", "超过", "逾", "过", "~"],
    key=len,
    reverse=True,
)
_APPROX_SUFFIXES = sorted(
    ["多", "余", "以上", "以下", "以内", "左右", "上下", "许"], key=len, reverse=True
)

# Endings that make unknown trailing text look like a currency rather than garbage.
_CURRENCY_LIKE_ENDINGS = (
    "元",
    "币",
    "幣",
    "镑",
    "法郎",
    "卢比",
    "比索",
    "卢布",
    "里拉",
    "克朗",
    "兰特",
    "令吉",
    "铢",
    "盾",
    "第纳尔",
    "里亚尔",
    "迪拉姆",
    "雷亚尔",
    "dollar",
    "dollars",
)

_CN_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "貳": 2,
    "三": 3,
    "叁": 3,
    "參": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CN_ZEROS = frozenset("零〇")
_CN_SMALL_UNITS: dict[str, int] = {
    "十": 10,
    "拾": 10,
    "百": 100,
    "佰": 100,
    "千": 1000,
    "仟": 1000,
}
_CN_BIG_UNITS: dict[str, int] = {"万亿": 10**12, "亿": 10**8, "億": 10**8, "万": 10**4, "萬": 10**4}
_BIG_UNIT_LABELS: dict[int, str] = {10**12: "万亿", 10**8: "亿", 10**4: "万"}

_ENGLISH_MAGNITUDES: dict[str, tuple[int, str]] = {
    "thousand": (10**3, "千"),
    "k": (10**3, "千"),
    "million": (10**6, "百万"),
    "mio": (10**6, "百万"),
    "mn": (10**6, "百万"),
    "m": (10**6, "百万"),
    "billion": (10**9, "十亿"),
    "bn": (10**9, "十亿"),
    "b": (10**9, "十亿"),
}
_ENGLISH_MAGNITUDES_LONGEST_FIRST = sorted(_ENGLISH_MAGNITUDES, key=len, reverse=True)

# Magnitude words allowed in a unit label such as default_unit="万元" or format_amount(unit=…).
_UNIT_MAGNITUDES: dict[str, int] = {
    "": 1,
    "十": 10,
    "百": 100,
    "千": 1000,
    "万": 10**4,
    "十万": 10**5,
    "百万": 10**6,
    "千万": 10**7,
    "亿": 10**8,
    "十亿": 10**9,
    "百亿": 10**10,
    "千亿": 10**11,
    "万亿": 10**12,
}

_NUMERAL_CHARS = "".join([*_CN_DIGITS, *_CN_SMALL_UNITS, "万亿億萬"])
_NUMERIC_RE = re.compile(rf"(?:\d+(?:\.\d*)?|\.\d+|[{_NUMERAL_CHARS}])+")
_TOKEN_RE = re.compile(
    r"(?P<arabic>\d+(?:\.\d*)?|\.\d+)"
    rf"|(?P<run>[{''.join(_CN_DIGITS)}]+)"
    rf"|(?P<small>[{''.join(_CN_SMALL_UNITS)}])"
    r"|(?P<big>万亿|[万萬亿億])"
)
_NUMBER_START_RE = re.compile(rf"[\d{''.join(_CN_DIGITS)}十拾]")
_RANGE_RE = re.compile(
    rf"[\d{_NUMERAL_CHARS}][^\d{_NUMERAL_CHARS}]*?(?:-|~|—|–|至|到)+[^\d{_NUMERAL_CHARS}]*?"
    rf"[\d{''.join(_CN_DIGITS)}十拾]"
)
# Digits with separators between them: "12,000", "1 200 000".
_GROUPED_RE = re.compile(r"\d+(?:[, ]\d+)+")


def _amount_error(message: str, code: str, text: str) -> ValidationError:
    return ValidationError(message, code=code, params={"text": text})


def _cannot_read_amount(text: str) -> ValidationError:
    return _amount_error(_('Cannot read "%(text)s" as an amount.'), "invalid_amount", text)


@dataclass(frozen=True)
class _Unit:
    multiplier: int  # in units of the currency (元, dollars …)
    currency: str
    magnitude_label: str

    @property
    def label(self) -> str:
        return self.magnitude_label + _CURRENCY_UNIT_WORDS[self.currency]


def _parse_unit_label(unit: str) -> _Unit:
    """Read a unit such as "万元", "亿元", "元", "万", "万美元" (programming input, not user data)."""
    cleaned = _nfkc(unit).lower().replace(" ", "")
    for magnitude in sorted(_UNIT_MAGNITUDES, key=len, reverse=True):
        if not cleaned.startswith(magnitude):
            continue
        rest = cleaned[len(magnitude) :]
        if rest == "":
            return _Unit(_UNIT_MAGNITUDES[magnitude], "CNY", magnitude)
        if rest in _CURRENCY_TOKENS:
            return _Unit(_UNIT_MAGNITUDES[magnitude], _CURRENCY_TOKENS[rest], magnitude)
    raise ValueError(f"unknown unit {unit!r}")


def _remove_group_separators(text: str, shown: str) -> str:
    """Remove thousands separators, refusing groups that are not three digits ("12,00")."""

    def replace(match: re.Match[str]) -> str:
        groups = re.split(r"[, ]", match.group(0))
        if any(len(group) != 3 for group in groups[1:]) or len(groups[0]) > 3:
            raise _cannot_read_amount(shown)
        return "".join(groups)

    return _GROUPED_RE.sub(replace, text)


def _eval_number(numeric: str, shown: str) -> tuple[Decimal, int | None]:
    """Value of a number written with Arabic digits and/or Chinese numerals.

    "3.5亿" → 350000000, "三亿五千万" → 350000000, "1.5万亿" → 1.5e12, "一二〇〇〇" → 12000.
    Returns the value and the smallest big unit (万/亿/万亿) used, if any. Colloquial elisions
    such as "三千五" (3500 or 3005?) and "1万5" are refused rather than guessed.
    """
    tokens = [(m.lastgroup, m.group(0)) for m in _TOKEN_RE.finditer(numeric)]
    if not tokens or "".join(text for _, text in tokens) != numeric:
        raise _cannot_read_amount(shown)

    total = Decimal(0)
    section = Decimal(0)  # the part below the current big unit
    pending: Decimal | None = None  # a number not yet multiplied by a unit
    pending_follows_unit = False
    pending_after_zero = False  # "一千零五": the 零 makes a short tail unambiguous
    last_small: int | None = None  # last small unit (十百千) in this section
    last_big: int | None = None
    previous_kind = "start"

    def tail(anchor: int | None) -> Decimal:
        """The pending number as the last term of a section whose previous unit is anchor."""
        if pending is None:
            return Decimal(0)
        if pending_follows_unit and anchor is not None:
            if pending >= anchor:
                raise _cannot_read_amount(shown)
            if not pending_after_zero and pending < anchor // 10:
                raise _cannot_read_amount(shown)
        return pending

    for kind, text in tokens:
        if kind in {"arabic", "run"}:
            if pending is not None:
                raise _cannot_read_amount(shown)
            pending_follows_unit = previous_kind in {"small", "big"}
            if kind == "arabic":
                pending = Decimal(text.removesuffix("."))
                pending_after_zero = False
            else:
                pending = Decimal("".join(str(_CN_DIGITS[c]) for c in text))
                pending_after_zero = text[0] in _CN_ZEROS and pending_follows_unit
        elif kind == "small":
            unit = _CN_SMALL_UNITS[text]
            if last_small is not None and unit >= last_small:
                raise _cannot_read_amount(shown)
            if pending is None:
                # "十五" reads 十 as 一十; any other bare unit is an error.
                if unit != 10 or last_small is not None:
                    raise _cannot_read_amount(shown)
                pending = Decimal(1)
            is_first_term = total == 0 and section == 0 and last_big is None
            if pending >= 10 and not is_first_term:
                raise _cannot_read_amount(shown)
            section += pending * unit
            pending = None
            last_small = unit
        else:  # a big unit: 万, 亿, 万亿
            unit = _CN_BIG_UNITS[text]
            if last_big is not None and unit >= last_big:
                raise _cannot_read_amount(shown)
            if pending is None and section == 0:
                raise _cannot_read_amount(shown)
            group = section + tail(last_small)
            if last_big is not None and group * unit >= last_big:
                raise _cannot_read_amount(shown)
            total += group * unit
            section = Decimal(0)
            pending = None
            last_small = None
            last_big = unit
        previous_kind = kind
    total += section + tail(last_small if last_small is not None else last_big)
    return total, last_big


def _strip_tokens(text: str, tokens: list[str], *, at_start: bool) -> tuple[str, str | None]:
    for token in tokens:
        if at_start and text.startswith(token):
            return text[len(token) :], token
        if not at_start and text.endswith(token):
            return text[: -len(token)], token
    return text, None


def _looks_like_currency(rest: str) -> bool:
    return bool(rest) and (rest.endswith(_CURRENCY_LIKE_ENDINGS) or re.fullmatch(r"[a-z]{3}", rest))


@dataclass
class _Suffix:
    currency: str | None
    approximate: bool
    has_unit_word: bool


def _read_suffix(rest: str, text: str) -> _Suffix | None:
    """Read what follows the number: approximation words and currency words, in any order.

    Returns None when something unreadable is left over.
    """
    currency: str | None = None
    approximate = False
    has_unit_word = False
    while rest:
        for token in _APPROX_SUFFIXES:
            if rest.startswith(token):
                rest = rest[len(token) :]
                approximate = True
                break
        else:
            for token in _CURRENCY_TOKENS_LONGEST_FIRST:
                if rest.startswith(token):
                    found = _CURRENCY_TOKENS[token]
                    if currency is not None and currency != found:
                        raise _amount_error(
                            _('"%(text)s" names two different currencies.'),
                            "currency_conflict",
                            text,
                        )
                    currency = found
                    has_unit_word = True
                    rest = rest[len(token) :]
                    break
            else:
                return None
    return _Suffix(currency, approximate, has_unit_word)


def _number_to_decimal(value: int | float | Decimal, shown: str) -> Decimal:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _cannot_read_amount(shown)
        return _float_to_decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _cannot_read_amount(shown)
        return value
    return Decimal(value)


def parse_amount(
    text: str | int | float | Decimal,
    *,
    default_unit: str = "万元",
    allow_negative: bool = False,
) -> Amount:
    """Read an amount of money; the result's ``value`` is in 万 of its currency.

    Accepted: Arabic digits (full-width too) with an optional decimal point and thousands
    separators (``,`` ``，`` or spaces, in groups of three); Chinese numerals, plain
    (零〇一二两…十百千万亿) or financial (壹贰叁…拾佰仟), and positional ("一二〇〇〇");
    a magnitude (万, 十万, 百万, 千万, 亿, 万亿, or after Arabic digits k/million/billion);
    a currency before or after the number (元, 人民币, 美元, 欧元, 港币/港元, 日元, 韩元, 英镑,
    …, ISO codes, $ ¥ € £); approximation words (约, 近, 超, 逾, 以上, 多, 余, 左右, …), which set
    ``approximate``.

    The unit comes from the text when it names a magnitude ("3亿" is 亿) or puts a currency word
    after the number ("5000元" is 元). Otherwise (a bare number, or a currency only before the
    number, "人民币3000") ``default_unit`` applies: "12000" is 12000万 with the default "万元",
    12000亿 with "亿元". A text with a magnitude but no currency takes the currency of
    ``default_unit``.

    ``int``, ``float`` and ``Decimal`` values are numbers in ``default_unit``; floats go through
    their ``repr`` so 3.3 reads as Decimal("3.3").

    Raises ``ValidationError`` (codes ``required``, ``invalid_amount``, ``amount_range``,
    ``unknown_currency``, ``currency_conflict``, ``negative_amount``) on a blank cell, a range
    such as "3-5亿", anything unreadable, or a negative amount unless ``allow_negative``.
    """
    unit = _parse_unit_label(default_unit)
    if text is None:
        raise ValidationError(_("The amount is empty."), code="required", params={"text": ""})
    if isinstance(text, bool):
        raise _cannot_read_amount(str(text))
    shown = _shown(text)
    with localcontext() as context:
        context.prec = _CONTEXT_PRECISION
        if isinstance(text, int | float | Decimal):
            number = _number_to_decimal(text, shown)
            approximate = False
            multiplier, currency, label = unit.multiplier, unit.currency, unit.label
        elif isinstance(text, str):
            number, multiplier, currency, label, approximate = _parse_amount_text(text, shown, unit)
        else:
            raise _cannot_read_amount(shown)
        if number < 0 and not allow_negative:
            raise _amount_error(
                _('"%(text)s" is negative; an amount cannot be negative.'),
                "negative_amount",
                shown,
            )
        value = _tidy((number * multiplier).scaleb(-4))
    return Amount(value=value, currency=currency, unit_label=label, approximate=approximate)


def _parse_amount_text(raw: str, shown: str, default: _Unit) -> tuple[Decimal, int, str, str, bool]:
    """Returns (number, multiplier into currency units, currency, unit label, approximate)."""
    text = _nfkc(raw).replace("\u2212", "-")
    if text.lower() in BLANK_MARKERS:
        raise ValidationError(_("The amount is empty."), code="required", params={"text": shown})
    text = _remove_group_separators(text, shown)
    text = re.sub(r"\s+", "", text).lower()
    if _RANGE_RE.search(text.lstrip("-~")):
        raise _amount_error(_('"%(text)s" is a range; enter one amount.'), "amount_range", shown)

    # Everything before the number: approximation words, a currency, a sign.
    approximate = False
    prefix_currency: str | None = None
    negative = False
    while text and not _NUMBER_START_RE.match(text) and not text.startswith("."):
        if text[0] in "+-":
            if text[0] == "-":
                if negative:
                    raise _cannot_read_amount(shown)
                negative = True
            text = text[1:]
            continue
        text, found = _strip_tokens(text, _APPROX_PREFIXES, at_start=True)
        if found:
            approximate = True
            continue
        text, found = _strip_tokens(text, _CURRENCY_TOKENS_LONGEST_FIRST, at_start=True)
        if found:
            prefix_currency = _CURRENCY_TOKENS[found]
            continue
        number_start = _NUMBER_START_RE.search(text)
        if number_start and _looks_like_currency(text[: number_start.start()]):
            raise _amount_error(_('Unknown currency in "%(text)s".'), "unknown_currency", shown)
        raise _cannot_read_amount(shown)

    match = _NUMERIC_RE.match(text)
    if match is None:
        raise _cannot_read_amount(shown)
    numeric, rest = match.group(0), text[match.end() :]
    number, big_unit = _eval_number(numeric, shown)

    # An English magnitude may follow Arabic digits: "5m", "5million", "$5.5bn".
    english: tuple[int, str] | None = None
    suffix: _Suffix | None = None
    if re.fullmatch(r"[\d.]+", numeric):
        for word in _ENGLISH_MAGNITUDES_LONGEST_FIRST:
            if rest.startswith(word):
                suffix = _read_suffix(rest[len(word) :], shown)
                if suffix is not None:
                    english = _ENGLISH_MAGNITUDES[word]
                    break
    if suffix is None:
        suffix = _read_suffix(rest, shown)
    if suffix is None:
        leftover = rest
        for token in _APPROX_SUFFIXES:
            leftover = leftover.replace(token, "")
        if _looks_like_currency(leftover):
            raise _amount_error(_('Unknown currency in "%(text)s".'), "unknown_currency", shown)
        raise _cannot_read_amount(shown)

    if prefix_currency and suffix.currency and prefix_currency != suffix.currency:
        raise _amount_error(
            _('"%(text)s" names two different currencies.'), "currency_conflict", shown
        )
    currency = suffix.currency or prefix_currency or default.currency
    approximate = approximate or suffix.approximate
    if negative:
        number = -number

    if english is not None:
        multiplier, magnitude_label = english
    elif big_unit is not None:
        # The numeral already carries the magnitude; the label names its smallest big unit.
        multiplier, magnitude_label = 1, _BIG_UNIT_LABELS[big_unit]
    elif suffix.has_unit_word:
        multiplier, magnitude_label = 1, ""
    else:
        multiplier, magnitude_label = default.multiplier, default.magnitude_label
    label = magnitude_label + _CURRENCY_UNIT_WORDS[currency]
    return number, multiplier, currency, label, approximate


def parse_optional_amount(
    text: str | int | float | Decimal | None,
    *,
    default_unit: str = "万元",
    allow_negative: bool = False,
) -> Amount | None:
    """Like :func:`parse_amount`, but a blank-ish cell (see :func:`is_blank`) gives ``None``."""
    if is_blank(text):
        return None
    assert text is not None
    return parse_amount(text, default_unit=default_unit, allow_negative=allow_negative)


def _as_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float | bool):
        raise TypeError("money is never a float; pass a Decimal, an int or a str")
    return Decimal(value)


def yi_to_wan(value: Decimal | int | str) -> Decimal:
    """亿 → 万: ``yi_to_wan(Decimal("3.5")) == Decimal("35000")``."""
    return _tidy(_as_decimal(value).scaleb(4))


def wan_to_yi(value: Decimal | int | str) -> Decimal:
    """万 → 亿, exactly: ``wan_to_yi(Decimal("35000")) == Decimal("3.5")``."""
    return _tidy(_as_decimal(value).scaleb(-4))


def format_amount(
    value_wan: Decimal | int | str,
    unit: str = "亿元",
    places: int = 2,
    *,
    grouping: bool = False,
    with_unit: bool = True,
) -> str:
    """Show an amount held in 万 in ``unit`` ("亿元", "万元", "元", "万美元" …).

    Rounds half up to ``places`` decimals: ``format_amount(Decimal("35000"))`` is "3.50亿元",
    ``format_amount(Decimal("12345.678"), "万元", 1)`` is "12345.7万元". ``grouping`` adds
    thousands separators; ``with_unit=False`` leaves the unit out. The output of this function
    reads back through :func:`parse_amount` to the rounded value.
    """
    target = _parse_unit_label(unit)
    with localcontext() as context:
        context.prec = _CONTEXT_PRECISION
        in_unit = _as_decimal(value_wan).scaleb(4) / target.multiplier
        rounded = in_unit.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.00"
    number = f"{rounded:,}" if grouping else f"{rounded}"
    return number + unit if with_unit else number


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

Precision = Literal["day", "month", "year"]

_SHANGHAI = ZoneInfo("Asia/Shanghai")
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EXCEL_LEAP_BUG_SERIAL = 60  # Excel's 1900-02-29, a day that never was


@dataclass(frozen=True)
class ParsedDate:
    """A date read from a cell, with how precise the cell was.

    A month ("2025-3", "2025年3月") is the first of that month with ``precision == "month"``;
    a year alone is 1 January with ``precision == "year"``.
    """

    date: datetime.date
    precision: Precision = "day"

    def __str__(self) -> str:
        if self.precision == "year":
            return f"{self.date.year:04d}"
        if self.precision == "month":
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()


def _date_error(message: str, code: str, text: str) -> ValidationError:
    return ValidationError(message, code=code, params={"text": text})


def _cannot_read_date(text: str) -> ValidationError:
    return _date_error(_('Cannot read "%(text)s" as a date.'), "invalid_date", text)


def _not_a_date(text: str) -> ValidationError:
    return _date_error(_('"%(text)s" is not a valid date.'), "nonexistent_date", text)


def _from_excel_serial(serial: int | float | Decimal, shown: str) -> datetime.date:
    """Day of an Excel serial number (1900 date system, the one Excel and WPS use by default).

    Excel counts 1900-01-01 as 1 and believes 1900 was a leap year (after Lotus 1-2-3), so serial
    60 is a 29 February that never was and serials from 61 on are one day ahead of a plain count.
    A fractional part is a time of day and is dropped.
    """
    if isinstance(serial, float) and not math.isfinite(serial):
        raise _cannot_read_date(shown)
    if isinstance(serial, Decimal) and not serial.is_finite():
        raise _cannot_read_date(shown)
    day = math.floor(serial)
    if not 1 <= day <= _EXCEL_MAX_SERIAL:
        raise _cannot_read_date(shown)
    if day == _EXCEL_LEAP_BUG_SERIAL:
        raise _not_a_date(shown)
    if day < _EXCEL_LEAP_BUG_SERIAL:
        return datetime.date(1899, 12, 31) + datetime.timedelta(days=day)
    return datetime.date(1899, 12, 30) + datetime.timedelta(days=day)


_CN_DIGIT_CLASS = "零〇一二三四五六七八九"
_CN_DATE_DIGITS = {char: _CN_DIGITS[char] for char in _CN_DIGIT_CLASS}
_CN_DATE_RE = re.compile(
    rf"(?P<year>[{_CN_DIGIT_CLASS}]{{4}})年"
    rf"(?:(?P<month>[{_CN_DIGIT_CLASS}十]{{1,3}})月"
    rf"(?:(?P<day>[{_CN_DIGIT_CLASS}十]{{1,4}})[日号])?)?"
)
_SEP = r"[-./年]"
_DAY_RE = re.compile(
    rf"(?P<year>\d{{4}}){_SEP}(?P<month>\d{{1,2}})[-./月](?P<day>\d{{1,2}})[日号]?"
)
_MONTH_RE = re.compile(rf"(?P<year>\d{{4}}){_SEP}(?P<month>\d{{1,2}})月?")
_YEAR_RE = re.compile(r"(?P<year>\d{4})年?")
_TWO_DIGIT_YEAR_RE = re.compile(r"\d{2}(?:[-./年]\d{1,2}){1,2}[月日号]?")
_TIME_RE = re.compile(r"(?:\s+|t)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", re.IGNORECASE)


def _cn_small_number(text: str) -> int:
    """一 … 三十一 as used for months and days ("十二", "二十五", "三十一", "廿" not supported)."""
    if "十" not in text:
        if len(text) != 1:
            raise ValueError(text)
        return _CN_DATE_DIGITS[text]
    tens_text, _, ones_text = text.partition("十")
    tens = _CN_DATE_DIGITS[tens_text] if tens_text else 1
    ones = _CN_DATE_DIGITS[ones_text] if ones_text else 0
    if len(tens_text) > 1 or len(ones_text) > 1 or tens == 0:
        raise ValueError(text)
    return tens * 10 + ones


def _make_date(year: int, month: int, day: int, precision: Precision, shown: str) -> ParsedDate:
    try:
        return ParsedDate(datetime.date(year, month, day), precision)
    except ValueError:
        raise _not_a_date(shown) from None


def _check_precision(
    precision: Precision, shown: str, *, allow_month: bool, allow_year: bool
) -> None:
    if precision == "month" and not allow_month:
        raise _date_error(
            _('"%(text)s" names a month, not a day; enter the full date.'), "month_only", shown
        )
    if precision == "year" and not allow_year:
        raise _date_error(
            _('"%(text)s" names only a year; enter at least the year and the month.'),
            "year_only",
            shown,
        )


def _parse_date_text(text: str, shown: str) -> ParsedDate:
    cleaned = _TIME_RE.sub("", _nfkc(text))
    cleaned = re.sub(r"\s+", "", cleaned)

    if match := _DAY_RE.fullmatch(cleaned):
        return _make_date(int(match["year"]), int(match["month"]), int(match["day"]), "day", shown)
    if match := _MONTH_RE.fullmatch(cleaned):
        return _make_date(int(match["year"]), int(match["month"]), 1, "month", shown)
    if match := _YEAR_RE.fullmatch(cleaned):
        return _make_date(int(match["year"]), 1, 1, "year", shown)
    if re.fullmatch(r"\d{8}", cleaned):  # 20250312
        return _make_date(int(cleaned[:4]), int(cleaned[4:6]), int(cleaned[6:]), "day", shown)
    if re.fullmatch(r"\d{6}", cleaned):  # 202503, the statistics bureau's month
        return _make_date(int(cleaned[:4]), int(cleaned[4:]), 1, "month", shown)
    if re.fullmatch(r"\d{5}(?:\.\d+)?", cleaned):  # an Excel serial stored as text
        return ParsedDate(_from_excel_serial(Decimal(cleaned), shown), "day")
    if match := _CN_DATE_RE.fullmatch(cleaned):  # 二〇二五年三月十二日
        year = int("".join(str(_CN_DATE_DIGITS[c]) for c in match["year"]))
        try:
            month = _cn_small_number(match["month"]) if match["month"] else 1
            day = _cn_small_number(match["day"]) if match["day"] else 1
        except (KeyError, ValueError):
            raise _cannot_read_date(shown) from None
        precision: Precision = "day" if match["day"] else "month" if match["month"] else "year"
        return _make_date(year, month, day, precision, shown)
    if _TWO_DIGIT_YEAR_RE.fullmatch(cleaned):
        raise _date_error(
            _('"%(text)s" has a two-digit year; write the year in full, e.g. 2025.'),
            "two_digit_year",
            shown,
        )
    raise _cannot_read_date(shown)


def parse_date(
    value: str | int | float | Decimal | datetime.date,
    *,
    allow_month: bool = True,
    allow_year: bool = False,
) -> ParsedDate:
    """Read a date as ledgers hold it.

    Accepted: ``date`` and ``datetime`` objects (an aware datetime is taken in Asia/Shanghai);
    Excel serial numbers (int, float or Decimal, or 5-digit text; 1900 date system, time of day
    dropped); text such as "2025-03-12", "2025-3-12", "2025/03/12", "2025.3.12",
    "2025年3月12日" (or 号), "20250312", "2025-03-12 10:30", "二〇二五年三月十二日", in full-width
    digits too. A month alone ("2025-03", "2025.3", "2025年3月", "202503") gives the first of
    the month with precision "month", unless ``allow_month`` is false. A year alone ("2025年",
    "2025") gives 1 January with precision "year" only when ``allow_year`` is true: a bare
    year is rarely what a date column means, so it is refused by default.

    Two-digit years ("25.3.12") are refused, as are day-first orders ("12/03/2025").
    Raises ``ValidationError`` (codes ``required``, ``invalid_date``, ``nonexistent_date``,
    ``two_digit_year``, ``month_only``, ``year_only``) naming the text.
    """
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_SHANGHAI)
        return ParsedDate(value.date(), "day")
    if isinstance(value, datetime.date):
        return ParsedDate(value, "day")
    if value is None:
        raise ValidationError(_("The date is empty."), code="required", params={"text": ""})
    if isinstance(value, bool):
        raise _cannot_read_date(str(value))
    shown = _shown(value)
    if isinstance(value, int | float | Decimal):
        return ParsedDate(_from_excel_serial(value, shown), "day")
    if not isinstance(value, str):
        raise _cannot_read_date(shown)
    if _nfkc(value).lower() in BLANK_MARKERS:
        raise ValidationError(_("The date is empty."), code="required", params={"text": shown})
    parsed = _parse_date_text(value, shown)
    _check_precision(parsed.precision, shown, allow_month=allow_month, allow_year=allow_year)
    return parsed


def parse_optional_date(
    value: str | int | float | Decimal | datetime.date | None,
    *,
    allow_month: bool = True,
    allow_year: bool = False,
) -> ParsedDate | None:
    """Like :func:`parse_date`, but a blank-ish cell (see :func:`is_blank`) gives ``None``."""
    if is_blank(value):
        return None
    assert value is not None
    return parse_date(value, allow_month=allow_month, allow_year=allow_year)

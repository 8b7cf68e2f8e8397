"""Reporting periods: `2025`, `2025H1`, `2025Q3`, `2025-07`, `2025-01..2025-08`, any date range.

A period knows its dates, its canonical code and its Chinese labels (2025年上半年 / 上半年).
The label words come from a definition's wording rules (`period`), with these defaults.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

DEFAULT_PERIOD_WORDS: dict = {
    "year": "{y}年",
    "whole_year": "全年",
    "halves": ["上半年", "下半年"],
    "quarters": ["一季度", "二季度", "三季度", "四季度"],
    "month": "{m}月",
    "months": "{m1}-{m2}月",
    "months_across": "{y1}年{m1}月至{y2}年{m2}月",
    "range": "{y1}年{m1}月{d1}日至{m2}月{d2}日",
    "range_across": "{y1}年{m1}月{d1}日至{y2}年{m2}月{d2}日",
}

KINDS = ("year", "half", "quarter", "month", "months", "range")


class PeriodError(ValueError):
    """A period text that cannot be read; the message says what is accepted."""


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    # year, half (1-2), quarter (1-4), month or first month, last month: as the kind needs.
    year: int
    number: int = 0
    last_year: int = 0
    last_number: int = 0

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "half":
            return f"{self.year}H{self.number}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.number}"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "months":
            return f"{self.year}-{self.number:02d}..{self.last_year}-{self.last_number:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def short_label(self, words: dict | None = None) -> str:
        """上半年, 三季度, 7月, 1-8月, 全年; a date range is always said in full."""
        w = {**DEFAULT_PERIOD_WORDS, **(words or {})}
        if self.kind == "year":
            return w["whole_year"]
        if self.kind == "half":
            return w["halves"][self.number - 1]
        if self.kind == "quarter":
            return w["quarters"][self.number - 1]
        if self.kind == "month":
            return w["month"].format(m=self.number)
        if self.kind == "months" and self.year == self.last_year:
            return w["months"].format(m1=self.number, m2=self.last_number)
        return self._long_tail(w)

    def label(self, words: dict | None = None) -> str:
        """2025年上半年, 2025年三季度, 2025年7月, 2025年1-8月, 2025年1月1日至6月30日."""
        w = {**DEFAULT_PERIOD_WORDS, **(words or {})}
        prefix = w["year"].format(y=self.year)
        if self.kind == "year":
            return prefix
        if self.kind in ("half", "quarter", "month"):
            return prefix + self.short_label(w)
        return self._long_tail(w)

    def _long_tail(self, w: dict) -> str:
        if self.kind == "months":
            if self.year == self.last_year:
                return w["year"].format(y=self.year) + w["months"].format(
                    m1=self.number, m2=self.last_number
                )
            return w["months_across"].format(
                y1=self.year, m1=self.number, y2=self.last_year, m2=self.last_number
            )
        s, e = self.start, self.end
        key = "range" if s.year == e.year else "range_across"
        return w[key].format(y1=s.year, m1=s.month, d1=s.day, y2=e.year, m2=e.month, d2=e.day)

    def as_dict(self, words: dict | None = None) -> dict:
        return {
            "code": self.code,
            "kind": self.kind,
            "label": self.label(words),
            "short_label": self.short_label(words),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    def __str__(self) -> str:
        return self.code


def _year(text: str) -> int:
    year = int(text)
    if not 1900 <= year <= 2999:
        raise PeriodError(_("%(year)s is not a plausible year.") % {"year": text})
    return year


def _month(text: str, whole: str) -> int:
    month = int(text)
    if not 1 <= month <= 12:
        raise PeriodError(
            _("%(text)s: there is no month %(month)s.") % {"text": whole, "month": text}
        )
    return month


def year_period(year: int) -> Period:
    return Period("year", date(year, 1, 1), date(year, 12, 31), year)


def half_period(year: int, half: int) -> Period:
    first = 1 if half == 1 else 7
    return Period("half", date(year, first, 1), _month_end(year, first + 5), year, half)


def quarter_period(year: int, quarter: int) -> Period:
    first = 3 * quarter - 2
    return Period("quarter", date(year, first, 1), _month_end(year, first + 2), year, quarter)


def month_period(year: int, month: int) -> Period:
    return Period("month", date(year, month, 1), _month_end(year, month), year, month)


def months_period(year: int, month: int, last_year: int, last_month: int) -> Period:
    if (year, month) == (last_year, last_month):
        return month_period(year, month)
    return Period(
        "months",
        date(year, month, 1),
        _month_end(last_year, last_month),
        year,
        month,
        last_year,
        last_month,
    )


def range_period(start: date, end: date) -> Period:
    return Period("range", start, end, start.year)


def parse_period(text: str) -> Period:
    """Read a period; raise PeriodError with the accepted forms when it cannot be read."""
    raw = (text or "").strip()
    value = raw.upper().replace("—", "..").replace("～", "..").replace("~", "..")
    if m := re.fullmatch(r"(\d{4})", value):
        return year_period(_year(m[1]))
    if m := re.fullmatch(r"(\d{4})H([12])", value):
        return half_period(_year(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})Q([1-4])", value):
        return quarter_period(_year(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
        return month_period(_year(m[1]), _month(m[2], raw))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})\.\.(\d{4})-(\d{1,2})", value):
        period = months_period(_year(m[1]), _month(m[2], raw), _year(m[3]), _month(m[4], raw))
    elif m := re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})\.\.(\d{4}-\d{1,2}-\d{1,2})", value):
        start, end = (_iso(part, raw) for part in (m[1], m[2]))
        period = range_period(start, end)
    else:
        raise PeriodError(
            _(
                "Cannot read the period %(text)s. Write a year (2025), a half year (2025H1), "
                "a quarter (2025Q3), a month (2025-07), months (2025-01..2025-08) or dates "
                "(2025-01-01..2025-06-30)."
            )
            % {"text": raw or '""'}
        )
    if period.end < period.start:
        raise PeriodError(_("The period %(text)s ends before it starts.") % {"text": raw})
    return period


def _iso(part: str, whole: str) -> date:
    y, m, d = (int(x) for x in part.split("-"))
    try:
        return date(_year(str(y)), m, d)
    except ValueError as error:
        raise PeriodError(
            _("%(text)s: %(date)s is not a date.") % {"text": whole, "date": part}
        ) from error


def _same_day_a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def previous_year(period: Period) -> Period:
    """The same period a year before (29 February becomes the 28th)."""
    y = period.year - 1
    if period.kind == "year":
        return year_period(y)
    if period.kind == "half":
        return half_period(y, period.number)
    if period.kind == "quarter":
        return quarter_period(y, period.number)
    if period.kind == "month":
        return month_period(y, period.number)
    if period.kind == "months":
        return months_period(y, period.number, period.last_year - 1, period.last_number)
    return range_period(_same_day_a_year_before(period.start), _same_day_a_year_before(period.end))


def years_back(period: Period, years: int) -> Period:
    """From 1 January `years - 1` years before the period's last year to the period's end.

    The window of "the top source cities over the last N years" (近3年: 2023-01-01..2025-06-30).
    """
    start = date(period.end.year - years + 1, 1, 1)
    return range_period(start, period.end)

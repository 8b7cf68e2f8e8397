"""One ledger row → the values of a project, or the problems that stop it.

Every cell goes through the Foundation's parsers (amounts, dates), the region lookup and the
:class:`~yinli.ledger.values.ValueResolver`; a value that cannot be read is a problem naming the
row, the column and the value, never a silent blank or zero.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yinli.companies.uscc import validate_uscc
from yinli.core.parsing import is_blank, parse_optional_amount, parse_optional_date

from .mapping import DEFAULT_UNITS, Column
from .values import ValueResolver

TEXT_LIMITS = {
    "name": 200,
    "company": 200,
    "controller_name": 200,
    "first_contact": 64,
    "responsible_person": 64,
    "task_force": 200,
    "linked_leader": 64,
    "introducer": 200,
    "fai_code": 32,
    "status_reason": 300,
    "notes": 100_000,
}


@dataclass
class Problem:
    row: int | None
    column: str
    value: str
    message: str
    cell: str = ""

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "cell": self.cell,
        }


@dataclass
class RowValues:
    row: int
    values: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    columns: dict[str, Column] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # field → the cell as the ledger shows it
    cells: list | None = None  # the row as read, when ``raw`` is not filled (the bulk converter)

    def problem(self, field_name: str | None, value: object, message: str) -> None:
        column = self.columns.get(field_name) if field_name else None
        self.problems.append(
            Problem(
                row=self.row,
                column=column.header if column else "",
                value=shown(value),
                message=message,
                cell=f"{column.letter}{self.row}" if column else "",
            )
        )


def shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _text(value: object) -> str:
    return " ".join(shown(value).split())


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@lru_cache(maxsize=65536)
def _amount(value: object, unit: str):
    return parse_optional_amount(value, default_unit=unit)


@lru_cache(maxsize=65536)
def _date(value: object):
    return parse_optional_date(value)


def _decimal(value: object) -> Decimal:
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip().replace(",", ""))


class RowConverter:
    def __init__(self, columns: list[Column], resolver: ValueResolver):
        self.columns = [c for c in columns if c.field and c.field != "seq"]
        self.by_field = {c.field: c for c in self.columns}
        self.resolver = resolver

    def convert(self, number: int, cells: list) -> RowValues:
        out = RowValues(row=number, columns=self.by_field)
        values = out.values
        for column in self.columns:
            raw = cells[column.index] if column.index < len(cells) else None
            name = column.field
            out.raw[name] = shown(raw)
            try:
                self._one(name, raw, column, values, out)
            except ValidationError as exc:
                out.problem(name, raw, _message(exc))
        if "name" in self.by_field and not values.get("name"):
            cell = self.by_field["name"]
            raw = cells[cell.index] if cell.index < len(cells) else None
            if not any(p.column == cell.header for p in out.problems):
                out.problem("name", raw, _("The project name is empty."))
        # Category from the industry direction when the ledger does not give one.
        if values.get("category") is None and values.get("industry") is not None:
            values["category"] = values["industry"].category
        return out

    def _one(self, name: str, raw: object, column: Column, values: dict, out: RowValues) -> None:
        blank = is_blank(raw)
        if name in TEXT_LIMITS:
            text = "" if blank and name != "notes" else _text(raw)
            if name == "notes":
                text = "" if raw is None else shown(raw)
            if name == "fai_code":
                text = text.replace(" ", "").upper()
            if len(text) > TEXT_LIMITS[name]:
                raise ValidationError(
                    _("The text is %(length)s characters long; at most %(limit)s fit.")
                    % {"length": len(text), "limit": TEXT_LIMITS[name]}
                )
            values[name] = text
            return
        if blank:
            values[name] = None
            return
        if name == "uscc":
            values[name] = validate_uscc(_text(raw))
        elif name in {"signing_region", "controller_region", "lost_to"}:
            values[name] = self.resolver.region(raw)
        elif name in {"total_investment", "expected_output", "expected_tax"}:
            amount = _amount(raw, column.unit or DEFAULT_UNITS[name])
            if amount.currency != "CNY":
                raise ValidationError(
                    _('"%(text)s" is not in yuan; this column is kept in 万元.')
                    % {"text": shown(raw)}
                )
            values[name] = amount.value
        elif name == "foreign_investment":
            amount = _amount(raw, column.unit or DEFAULT_UNITS[name])
            values[name] = amount.value
            values["foreign_currency"] = amount.currency
        elif name in {"signed_on", "fai_on"}:
            parsed = _date(raw)
            values[name] = parsed.date if parsed else None
        elif name == "industry":
            values[name] = self.resolver.industry(raw)
        elif name == "category":
            values[name] = self.resolver.category(raw)
        elif name == "kind":
            values[name] = self.resolver.kind(raw)
        elif name == "stage":
            try:
                values[name] = self.resolver.stage(raw)
            except ValidationError:
                # "暂缓" in the progress column: a status, when the ledger has no status column.
                if "status" in self.by_field:
                    raise
                try:
                    values["status"] = self.resolver.status(raw)
                except ValidationError:
                    pass
                else:
                    values["status_word"] = _text(raw)
                    return
                raise
        elif name == "status":
            values[name] = self.resolver.status(raw)
            values["status_word"] = _text(raw)
        elif name == "responsible_unit":
            values[name] = self.resolver.unit(raw)
        elif name == "district":
            values[name] = self.resolver.district(raw)
        elif name == "channel":
            values[name] = self.resolver.channel(raw)
        elif name == "land_mu":
            try:
                number = _decimal(raw)
            except InvalidOperation as exc:
                raise ValidationError(
                    _('Cannot read "%(text)s" as a number.') % {"text": shown(raw)}
                ) from exc
            if number < 0:
                raise ValidationError(_('"%(text)s" is negative.') % {"text": shown(raw)})
            values[name] = number.quantize(Decimal("0.01"))
        elif name == "jobs":
            try:
                number = _decimal(raw)
            except InvalidOperation as exc:
                raise ValidationError(
                    _('Cannot read "%(text)s" as a number.') % {"text": shown(raw)}
                ) from exc
            if number < 0 or number != number.to_integral_value():
                raise ValidationError(
                    _('"%(text)s" is not a whole number of people.') % {"text": shown(raw)}
                )
            values[name] = int(number)

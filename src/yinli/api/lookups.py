"""Turning what a client sends (codes, ids, names, free text, "3.5亿元") into model values.

A `Resolver` collects every problem of a request body, so that one answer lists them all
(422, each message under its field and naming the value that was sent).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from yinli.core.models import OrgKind, OrgUnit, Region
from yinli.core.parsing import parse_amount
from yinli.core.regions import resolve_region


def _as_text(value: Any) -> str:
    return str(value).strip()


def _by_id_code_or_name(
    queryset: QuerySet, value: Any, *, code: str | None = "code", names: tuple[str, ...] = ()
) -> Model | None:
    """An integer is an id; text is a code, then an exact name, then an id written as text."""
    if isinstance(value, int):
        return queryset.filter(pk=value).first()
    text = _as_text(value)
    if not text:
        return None
    if code:
        found = queryset.filter(**{code: text}).first()
        if found is not None:
            return found
    for name in names:
        matches = list(queryset.filter(**{name: text})[:2])
        if len(matches) == 1:
            return matches[0]
    if text.isdigit():
        return queryset.filter(pk=int(text)).first()
    return None


class Resolver:
    """Resolves the fields of one request body; `check()` raises every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    # References ---------------------------------------------------------------------------

    def district(self, field: str, value: Any) -> OrgUnit | None:
        """A district (板块) by id, code or exact name."""
        if value is None:
            return None
        queryset = OrgUnit.objects.filter(kind=OrgKind.DISTRICT)
        found = _by_id_code_or_name(queryset, value, names=("name", "short_name"))
        if found is None:
            self.fail(field, _('There is no district "%(value)s".') % {"value": value})
        return found

    def unit(self, field: str, value: Any) -> OrgUnit | None:
        """Any organisation unit by id, code or exact name."""
        if value is None:
            return None
        found = _by_id_code_or_name(OrgUnit.objects.all(), value, names=("name", "short_name"))
        if found is None:
            self.fail(field, _('There is no organisation unit "%(value)s".') % {"value": value})
        return found

    def region(self, field: str, value: Any) -> Region | None:
        """A region by code ("310115", "KR") or by free text ("上海浦东", "韩国首尔")."""
        if value is None:
            return None
        text = _as_text(value)
        if not text:
            return None
        found = Region.objects.filter(code=text).first()
        if found is not None:
            return found
        region, result = resolve_region(text)
        if region is None:
            message = getattr(result, "message", "") or _('Cannot find the region "%(value)s".') % {
                "value": text
            }
            self.fail(field, message)
        return region

    def model(
        self,
        field: str,
        value: Any,
        queryset: QuerySet,
        *,
        code: str | None = None,
        names: tuple[str, ...] = ("name",),
        missing: str,
    ) -> Model | None:
        if value is None:
            return None
        found = _by_id_code_or_name(queryset, value, code=code, names=names)
        if found is None:
            self.fail(field, missing % {"value": value})
        return found

    def many(self, field: str, values: list[str], queryset: QuerySet, *, missing: str) -> list:
        wanted = [_as_text(v) for v in values if _as_text(v)]
        found = {obj.name: obj for obj in queryset.filter(name__in=wanted)}
        for name in wanted:
            if name not in found:
                self.fail(field, missing % {"value": name})
        return [found[name] for name in dict.fromkeys(wanted) if name in found]

    # Amounts ------------------------------------------------------------------------------

    def amount_cny(self, field: str, value: Any) -> Decimal | None:
        """An amount in 万元: a number, or text with its unit ("3.5亿元", "12,000万")."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            amount = parse_amount(value, default_unit="万元")
        except ValidationError as exc:
            for message in exc.messages:
                self.fail(field, message)
            return None
        if amount.currency != "CNY":
            self.fail(
                field,
                _('"%(value)s" is not in yuan; this amount is kept in 万元 (CNY).')
                % {"value": value},
            )
            return None
        return amount.value

    def amount_foreign(
        self, field: str, value: Any, currency: str, *, currency_given: bool
    ) -> tuple[Decimal | None, str]:
        """Agreed foreign investment: a number in 万 of `currency`, or text that may name its own
        currency ("800万欧元"), refused when it contradicts a currency sent with it.

        Returns (value in 万, currency)."""
        given = (currency or "USD").strip().upper()
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, given
        try:
            amount = parse_amount(value, default_unit=f"万{given}")
        except ValueError:
            self.fail("foreign_currency", _('Unknown currency "%(value)s".') % {"value": currency})
            return None, given
        except ValidationError as exc:
            for message in exc.messages:
                self.fail(field, message)
            return None, given
        if currency_given and amount.currency != given:
            self.fail(
                field,
                _('"%(value)s" is in %(found)s but foreign_currency says %(given)s.')
                % {"value": value, "found": amount.currency, "given": given},
            )
        return amount.value, amount.currency

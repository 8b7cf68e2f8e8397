"""Small record sets for the statistics tests, built by hand on the personas' city."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests import factories
from yinli.core.models import Region
from yinli.stats.definitions import current_definition
from yinli.stats.models import ConversionRate


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def signed(city, *, wan="15000", on=date(2025, 3, 12), source="310115", **extra):
    """A project formally signed on `on` with `wan` 万元, its investor registered in `source`."""
    investor = extra.pop("company", None) or factories.company(
        region=source, ownership=extra.pop("ownership", "private")
    )
    return factories.project(city, total_wan=wan, signed_on=on, company=investor, **extra)


def rate(currency: str, month: date) -> Decimal:
    return ConversionRate.objects.get(currency=currency, month=month.replace(day=1)).rate


@pytest.fixture
def definition(db):
    return current_definition()

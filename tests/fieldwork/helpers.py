"""Small builders for the field-work tests (through the services, as a user would)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from yinli.core.models import Region
from yinli.fieldwork import services
from yinli.fieldwork.models import Outcome


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def trip(city, unit, start, end, places, *, km="100", by=None):
    """A trip of `unit` with stops at `places` (codes, or (code, arrival) pairs)."""
    stops = []
    for place in places:
        code, day = place if isinstance(place, tuple) else (place, None)
        stops.append({"place": region(code), "arrive_on": day, "leg_km": None, "note": ""})
    data = {
        "unit": unit,
        "start_on": start,
        "end_on": end,
        "reported_km": Decimal(km) if km is not None else None,
    }
    return services.trip_create(data=data, stops=stops, by=by or city.admin)


def visit(city, unit, on=date(2025, 6, 2), *, by=None, **extra):
    data = {
        "visited_on": on,
        "unit": unit,
        "company_name": extra.pop("company_name", "苏州测试新材料有限公司"),
        "outcome": extra.pop("outcome", Outcome.FOLLOW_UP),
        **extra,
    }
    return services.visit_create(data=data, by=by or city.admin)

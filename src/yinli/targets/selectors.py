"""Reads: targets as a user may see them, and their progress at a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yinli.core.models import OrgKind, OrgUnit
from yinli.stats.periods import Period, month_period, months_period, range_period

from . import schedule
from .figures import FIGURES, Actuals
from .models import Target
from .scoping import visible_targets, visible_units


def year_to_date(year: int, on: date) -> Period:
    """1 January to `on` (within the year) as stats periods say it: 2025年1-6月 at a month end."""
    end = min(on, date(year, 12, 31))
    start = date(year, 1, 1)
    if end < start:
        end = start
    next_day = end.toordinal() + 1
    if date.fromordinal(next_day).day == 1:
        if end.month == 1:
            return month_period(year, 1)
        return months_period(year, 1, year, end.month)
    return range_period(start, end)


def resolve_unit(text: str | int | OrgUnit | None) -> OrgUnit | None:
    """A district, bureau or team by id, code, exact name or short name."""
    if text in (None, "") or isinstance(text, OrgUnit):
        return text or None
    value = str(text).strip()
    units = OrgUnit.objects.filter(kind__in=[OrgKind.DISTRICT, OrgKind.BUREAU, OrgKind.TEAM])
    if value.isdigit() and (found := units.filter(pk=int(value)).first()):
        return found
    for field in ("code", "name", "short_name"):
        matches = list(units.filter(**{field: value}).order_by("valid_to")[:2])
        if len(matches) == 1:
            return matches[0]
    raise ValidationError(
        _("There is no district, bureau or team %(unit)s (give its code or exact name).")
        % {"unit": value},
        code="no_unit",
    )


def targets_of(
    *, user, year: int, district: OrgUnit | None = None, unit: OrgUnit | None = None
) -> QuerySet[Target]:
    """The live targets of `year` the user may see; of one district (with its units) or unit."""
    queryset = visible_targets(user, Target.objects.filter(year=year)).select_related(
        "unit", "definition"
    )
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    if district is not None:
        queryset = queryset.filter(Q(unit=district) | Q(unit__district=district))
    return queryset.order_by("unit__sort_order", "unit__code", "figure")


def target_months(target: Target) -> list[Decimal]:
    return schedule.monthly_amounts(
        annual=target.annual, breakdown=target.breakdown, parts=target.parts
    )


def _whole(value: Decimal, whole: bool) -> Decimal | int:
    """A count leaves as a whole number (8, not 8.0)."""
    return int(value) if whole and value == value.to_integral_value() else value


def progress_of(target: Target, *, on: date, actuals: Actuals | None = None) -> dict:
    """Annual, due by `on`, actual from 1 January to `on`, and the three percentages (exact)."""
    actuals = actuals or Actuals()
    period = year_to_date(target.year, on)
    if on < date(target.year, 1, 1):
        actual = Decimal(0)
    else:
        actual = actuals.value(
            figure=target.figure, unit=target.unit, definition=target.definition, period=period
        )
    result = schedule.progress(
        annual=target.annual, months=target_months(target), year=target.year, on=on, actual=actual
    )
    spec = FIGURES[target.figure]
    return {
        "target_id": target.pk,
        "version": target.version,
        "year": target.year,
        "unit": {
            "id": target.unit_id,
            "code": target.unit.code,
            "name": target.unit.display_name,
            "kind": target.unit.kind,
        },
        "figure": target.figure,
        "figure_label": str(spec.label),
        "figure_unit": str(spec.unit),
        "definition_version": target.definition.version,
        "breakdown": target.breakdown,
        "as_of": on,
        "period": period.as_dict(),
        "annual": _whole(result.annual, spec.whole),
        "due": result.due,
        "actual": _whole(result.actual, spec.whole),
        "schedule_pct": result.schedule_pct,
        "done_pct": result.done_pct,
        "ahead_points": result.ahead_points,
        "wording": result.wording(),
    }


def progress_rows(
    *,
    user,
    year: int,
    on: date,
    district: OrgUnit | None = None,
    unit: OrgUnit | None = None,
    progress=None,
) -> list[dict]:
    """The progress of every target of `year` the user may see (one unit or district)."""
    order = {key: i for i, key in enumerate(FIGURES)}
    targets = sorted(
        targets_of(user=user, year=year, district=district, unit=unit),
        key=lambda t: (t.unit.sort_order, t.unit.code, order.get(t.figure, len(order))),
    )
    actuals = Actuals()
    rows = []
    for i, target in enumerate(targets):
        rows.append(progress_of(target, on=on, actuals=actuals))
        if progress is not None:
            progress(i + 1, len(targets))
    return rows


def grid(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """Progress rows as units × figures (the page's grid): ([{unit, cells{figure: row}}], figures)."""
    figures = [key for key in FIGURES if any(row["figure"] == key for row in rows)]
    units: dict[int, dict] = {}
    for row in rows:
        whole = FIGURES[row["figure"]].whole
        row["annual_text"], row["actual_text"] = (
            number_text(row["annual"], whole),
            number_text(row["actual"], whole),
        )
        entry = units.setdefault(row["unit"]["id"], {"unit": row["unit"], "cells": {}})
        entry["cells"][row["figure"]] = row
    table = [
        {**entry, "row": [entry["cells"].get(key) for key in figures]} for entry in units.values()
    ]
    return table, figures


def number_text(value, whole: bool = False) -> str:
    """8 for a count, 15.5 for an amount (already rounded), — for nothing."""
    if value is None:
        return "—"
    if whole or float(value).is_integer():
        return str(int(value))
    return f"{float(value):.1f}"


def units_for_grid(user) -> QuerySet[OrgUnit]:
    """The current units a target can be set for, that the user may see (districts first)."""
    return (
        visible_units(user)
        .filter(kind__in=[OrgKind.DISTRICT, OrgKind.BUREAU, OrgKind.TEAM], valid_to__isnull=True)
        .order_by("sort_order", "code")
    )

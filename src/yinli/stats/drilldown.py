"""From a figure to the projects behind it: a query string the project list understands.

    /projects/?stat=signed&period=2025H1&definition=1&by=source_city&key=123[&district=7]

`stat` is the figure's set (signed: the counted projects; in_statistics: newly 入库列统;
pipeline: every live project), `period` and `definition` say which, `by` and `key` the row of a
breakdown (yinli.stats.dimensions), and the list's own `district` filter the scope. The list
(yinli.projects.filters.ProjectFilter, parameter `stat`) calls `drilldown_queryset`, which goes
through the same selector and dimension as the figure, so the list shows the same count and total.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse

from . import dimensions, selectors
from .definitions import get_definition
from .periods import Period, PeriodError, parse_period

STATS = ("signed", "in_statistics", "pipeline")


def figure_queryset(
    *,
    stat: str,
    period: Period | None,
    definition,
    by: str | None = None,
    key: str | None = None,
    user=None,
    district=None,
) -> QuerySet:
    """The projects a figure (and the row `key` of its breakdown `by`) counts."""
    if stat == "signed":
        queryset = selectors.counted_projects(
            definition=definition, start=period.start, end=period.end, user=user, district=district
        )
    elif stat == "in_statistics":
        queryset = selectors.in_statistics_projects(
            start=period.start, end=period.end, user=user, district=district
        )
    elif stat == "pipeline":
        queryset = selectors.live_projects(user=user, district=district)
    else:
        raise ValueError(f"unknown figure {stat!r}")
    if by:
        queryset = dimensions.filter_by(queryset, definition, by, str(key or ""))
    return queryset


def drilldown_queryset(queryset: QuerySet, data) -> QuerySet:
    """`queryset` narrowed to the figure named in `data` (a QueryDict); nothing when it is bad."""
    stat = (data.get("stat") or "").strip()
    if stat not in STATS:
        return queryset.none()
    try:
        period = parse_period(data.get("period") or "") if stat != "pipeline" else None
        definition = get_definition(data.get("definition") or None)
    except (PeriodError, ValidationError):
        return queryset.none()
    by = (data.get("by") or "").strip() or None
    if by and not dimensions.known(by):
        return queryset.none()
    figure = figure_queryset(
        stat=stat, period=period, definition=definition, by=by, key=data.get("key")
    )
    queryset = queryset.filter(pk__in=figure.values("pk"))
    # The same date range on the list itself: without it PostgreSQL walks the whole ledger in
    # the list's order to find the first page of a subquery's rows (12.9 s → 0.5 s at 1M).
    if stat == "signed":
        queryset = queryset.filter(
            first_signed_on__gte=period.start, first_signed_on__lte=period.end
        )
    elif stat == "in_statistics":
        queryset = queryset.filter(fai_on__gte=period.start, fai_on__lte=period.end)
    return queryset


def drilldown_url(
    *,
    stat: str,
    definition,
    period: Period | None = None,
    district=None,
    by: str | None = None,
    key=None,
    base: str | None = None,
) -> str:
    """The project list of exactly what a figure counts. `base`: reverse("projects:list"),
    when the caller has it already (a report makes a thousand of these links)."""
    params: dict[str, object] = {"stat": stat}
    if period is not None:
        params["period"] = period.code
    params["definition"] = definition.version
    if by:
        params["by"] = by
        params["key"] = dimensions.NONE_KEY if key is None else key
    if district is not None:
        params["district"] = district.pk
    return (base or reverse("projects:list")) + "?" + urlencode(params)

"""Statistics: the report of a period (live or as published) and the published reports.

`GET /stats/report` answers exactly what `yinli report --format json` prints (both call
yinli.stats.publish.report_for). Scoping as everywhere: a district's user gets her district's
report, and asking for another district is 404; every user of the organisation reads every
published report; city roles (admin, analyst) publish.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status as HttpStatus

from yinli.stats.definitions import get_definition
from yinli.stats.models import PublishedReport
from yinli.stats.periods import PeriodError, parse_period
from yinli.stats.publish import (
    NotPublished,
    can_compare,
    diff_since_published,
    publish_report,
    published_json,
    published_meta,
    report_for,
    visible_published,
)
from yinli.stats.report import resolve_district

from .schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    Error,
    IdOrCode,
    Page,
    PageQuery,
    UnitRef,
    ValidationErrorOut,
    WriteSchema,
    paginate,
    unit_ref,
)

router = Router(tags=["statistics"])


class ReportQuery(Schema):
    period: str = Field(
        description="2025, 2025H1, 2025Q3, 2025-07, 2025-01..2025-08 or 2025-01-01..2025-06-30."
    )
    district: str | None = Field(
        None, description="A district's id, code or exact name (default: the city, or yours)."
    )
    definition: int | None = Field(None, description="Definition version (default: current).")
    published: bool = Field(
        False, description="The report as last published (frozen), not as the records stand."
    )


def _inputs(*, period: str, district, definition) -> tuple:
    """Period, district and definition, each refused as a field error in Chinese."""
    errors: dict[str, list[str]] = {}
    parsed = found_district = found_definition = None
    try:
        parsed = parse_period(period)
    except PeriodError as error:
        errors["period"] = [str(error)]
    try:
        found_district = resolve_district(district)
    except ValidationError as error:
        errors["district"] = error.messages
    try:
        found_definition = get_definition(definition) if definition is not None else None
    except ValidationError as error:
        errors["definition"] = error.messages
    if errors:
        raise ValidationError(errors)
    return parsed, found_district, found_definition


@router.get(
    "/stats/report",
    response={200: dict[str, Any], 422: ValidationErrorOut, **READ_ERRORS},
)
def stats_report(request: HttpRequest, query: Query[ReportQuery]):
    """Every figure of the period with its year-on-year change, drill-down links and the
    bulletin (the JSON of `yinli report --format json`); `published=true`: as published."""
    period, district, definition = _inputs(
        period=query.period, district=query.district, definition=query.definition
    )
    try:
        return report_for(
            user=request.auth,
            period=period,
            district=district,
            definition=definition,
            published=query.published,
        )
    except PermissionDenied as error:  # another district's live figures: not disclosed
        raise Http404 from error
    except NotPublished as error:
        raise HttpError(404, str(error)) from error


# --- published reports --------------------------------------------------------------------------


class PublishedOut(Schema):
    id: int
    title: str
    note: str
    period: str = Field(description="The period's code, e.g. 2025H1.")
    period_label: str
    start: str
    end: str
    scope: str = Field(description="city or district")
    district: UnitRef | None
    definition_version: int
    published_at: str
    published_by: str
    supersedes: int | None = Field(description="The published report this one replaced.")
    superseded_by: int | None = Field(description="The one that replaced it, if any.")
    counted: dict[str, int] = Field(description="Projects each headline figure counted.")
    signed_count: int
    signed_investment_yi: float | None


class PublishedDetailOut(PublishedOut):
    counted_ids: dict[str, list[int]] = Field(
        description="The ids of the projects each headline figure counted, as published."
    )
    report: dict[str, Any] = Field(description="The report exactly as published.")


class PublishedPage(Page):
    items: list[PublishedOut]


class PublishedQuery(PageQuery):
    period: str | None = Field(None, description="Only this period (e.g. 2025H1).")
    district: str | None = Field(
        None, description='Only this district\'s reports (id, code or name); "city" for the city.'
    )


class PublishIn(WriteSchema):
    period: str
    district: IdOrCode | None = Field(None, description="Empty: the whole city.")
    definition: int | None = Field(None, description="Definition version (default: current).")
    title: str = ""
    note: str = ""


def published_data(published: PublishedReport, *, detail: bool = False) -> dict[str, Any]:
    report = published.report
    meta = published_meta(published)
    data = {
        **meta,
        "period": published.period_code,
        "period_label": report["period"]["label"],
        "start": report["period"]["start"],
        "end": report["period"]["end"],
        "scope": "district" if published.district_id else "city",
        "district": unit_ref(published.district),
        "definition_version": published.definition.version,
        "signed_count": report["signed"]["count"],
        "signed_investment_yi": report["signed"]["investment_yi"],
    }
    if detail:
        data["counted_ids"] = published.counted_ids
        data["report"] = published_json(published)
    return data


def _visible(request: HttpRequest, published_id: int) -> PublishedReport:
    published = visible_published(request.auth).filter(pk=published_id).first()
    if published is None:
        raise Http404
    return published


@router.get(
    "/stats/published", response={200: PublishedPage, 422: ValidationErrorOut, **READ_ERRORS}
)
def published_list(request: HttpRequest, query: Query[PublishedQuery]):
    """Published reports, newest first (every user of the organisation reads them all)."""
    queryset = visible_published(request.auth)
    if query.period:
        try:
            queryset = queryset.filter(period_code=parse_period(query.period).code)
        except PeriodError as error:
            raise ValidationError({"period": [str(error)]}) from error
    if query.district:
        if query.district.strip().lower() == "city":
            queryset = queryset.filter(district__isnull=True)
        else:
            try:
                queryset = queryset.filter(district=resolve_district(query.district))
            except ValidationError as error:
                raise ValidationError({"district": error.messages}) from error
    page = paginate(queryset.order_by("-published_at", "-pk"), query)
    page["items"] = [published_data(item) for item in page["items"]]
    return page


@router.get("/stats/published/{published_id}", response={200: PublishedDetailOut, **READ_ERRORS})
def published_detail(request: HttpRequest, published_id: int):
    """One published report: its frozen report JSON and the projects each figure counted."""
    return published_data(_visible(request, published_id), detail=True)


@router.get(
    "/stats/published/{published_id}/changes",
    response={200: dict[str, Any], 403: Error, **READ_ERRORS},
)
def published_changes(request: HttpRequest, published_id: int):
    """Today's figures beside the published ones, and the projects that joined, left or changed
    (city roles; a district for its own district's reports)."""
    published = _visible(request, published_id)
    if not can_compare(request.auth, published):
        raise PermissionDenied
    return diff_since_published(published=published, user=request.auth)


@router.post("/stats/published", response={201: PublishedDetailOut, **WRITE_ERRORS})
def published_create(request: HttpRequest, payload: PublishIn):
    """Publish the period's report (city administrators and analysts)."""
    period, district, definition = _inputs(
        period=payload.period, district=payload.district, definition=payload.definition
    )
    published = publish_report(
        user=request.auth,
        period=period,
        district=district,
        definition=definition,
        title=payload.title,
        note=payload.note,
    )
    published = PublishedReport.objects.select_related(
        "district", "definition", "published_by"
    ).get(pk=published.pk)
    return HttpStatus(201, published_data(published, detail=True))

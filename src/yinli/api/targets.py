"""Targets (目标任务), progress against the schedule (时序进度) and the ranking (龙虎榜).

`GET /targets/progress` answers what `yinli targets progress --format json` prints and
`GET /targets/ranking` what `yinli targets ranking --format json` prints (both call
yinli.targets.report). Scoping as on the pages: a district reads its own targets (another
district's is 404), every district reads the ranking, only city roles (admin, analyst) set
targets.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from yinli.stats.definitions import get_definition
from yinli.stats.periods import PeriodError, parse_period
from yinli.targets import scoping
from yinli.targets.figures import FIGURES
from yinli.targets.models import Breakdown, ScoringScheme, Target
from yinli.targets.report import progress_report, ranking_report
from yinli.targets.selectors import resolve_unit, targets_of
from yinli.targets.services import scheme_save, target_delete, target_save

from .schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    IdOrCode,
    Number,
    UnitRef,
    ValidationErrorOut,
    WriteSchema,
    unit_ref,
)

router = Router(tags=["targets"])


class AnnualTargetOut(Schema):
    id: int
    version: int
    year: int
    unit: UnitRef
    figure: str = Field(description="A key of GET /targets/figures.")
    annual: Number
    breakdown: str = Field(description="even_months, even_quarters, months or quarters.")
    parts: list[Number] = Field(description="12 monthly or 4 quarterly amounts, when set.")
    definition_version: int
    note: str


class AnnualTargetIn(WriteSchema):
    year: int = Field(ge=2000, le=2100)
    unit: IdOrCode = Field(description="A district's, bureau's or team's id, code or name.")
    figure: str
    annual: Number | str = Field(description="Projects for a count, 亿元 for an amount.")
    breakdown: str = Field(
        "even_months", description="even_months, even_quarters, months, quarters."
    )
    parts: list[Number | str] | None = Field(
        None, description="12 or 4 amounts adding up to annual."
    )
    definition: int | None = Field(None, description="Definition version (default: current).")
    note: str = ""
    version: int | None = Field(None, description="The version a change is based on.")


class TargetFigureOut(Schema):
    key: str
    label: str
    unit: str
    whole: bool


class AnnualTargetQuery(Schema):
    year: int = Field(description="The targets' year.")
    unit: str | None = Field(None, description="One unit's id, code or exact name.")


class TargetProgressQuery(Schema):
    year: int
    as_of: date = Field(description="The day progress is measured on, e.g. 2025-06-30.")
    district: str | None = Field(None, description="A district's (or unit's) id, code or name.")


class TargetRankingQuery(Schema):
    period: str = Field(description="2025H1, 2025Q2, 2025-06, 2025-01..2025-06 (within a year).")
    scheme: str | None = Field(None, description="A scheme's id or name (default: the default).")


class ScoringItemOut(Schema):
    kind: str
    figure: str
    weight: Number | None
    cap: Number | None
    points: Number | None
    threshold_yi: Number | None


class ScoringItemIn(WriteSchema):
    kind: str = Field(
        description="figure, big_project, lost_project, late_report or conflict_against."
    )
    figure: str = ""
    weight: Number | None = None
    cap: Number | None = None
    points: Number | None = Field(None, description="Per occurrence; negative: a deduction.")
    threshold_yi: Number | None = None


class ScoringSchemeIn(WriteSchema):
    name: str
    is_default: bool = False
    note: str = ""
    items: list[ScoringItemIn]
    version: int | None = Field(None, description="The version a change is based on.")


class ScoringSchemeOut(Schema):
    id: int
    version: int
    name: str
    is_default: bool
    note: str
    items: list[ScoringItemOut]


def target_data(target: Target) -> dict[str, Any]:
    return {
        "id": target.pk,
        "version": target.version,
        "year": target.year,
        "unit": unit_ref(target.unit),
        "figure": target.figure,
        "annual": target.annual,
        "breakdown": target.breakdown,
        "parts": list(target.parts or []),
        "definition_version": target.definition.version,
        "note": target.note,
    }


def _unit(request: HttpRequest, value, field: str = "unit"):
    try:
        unit = resolve_unit(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    if unit is not None and not scoping.visible_units(request.auth).filter(pk=unit.pk).exists():
        raise Http404
    return unit


@router.get("/targets/figures", response={200: list[TargetFigureOut], **READ_ERRORS})
def target_figures(request: HttpRequest):
    """The figures a target can be set on (each computed by the statistics code)."""
    return [
        {"key": f.key, "label": str(f.label), "unit": str(f.unit), "whole": f.whole}
        for f in FIGURES.values()
    ]


@router.get(
    "/targets", response={200: list[AnnualTargetOut], 422: ValidationErrorOut, **READ_ERRORS}
)
def target_list(request: HttpRequest, query: Query[AnnualTargetQuery]):
    """The targets of a year the user may see (a district: its own and its units')."""
    unit = _unit(request, query.unit) if query.unit else None
    return [target_data(t) for t in targets_of(user=request.auth, year=query.year, unit=unit)]


@router.post("/targets", response={200: AnnualTargetOut, 201: AnnualTargetOut, **WRITE_ERRORS})
def target_put(request: HttpRequest, payload: AnnualTargetIn):
    """Set the target of (year, unit, figure): created (201) or changed (200). City roles."""
    user = request.auth
    unit = _unit(request, payload.unit)
    definition = None
    if payload.definition is not None:
        try:
            definition = get_definition(payload.definition)
        except ValidationError as error:
            raise ValidationError({"definition": error.messages}) from error
    if payload.breakdown not in Breakdown.values:
        raise ValidationError(
            {"breakdown": [f"even_months, even_quarters, months, quarters: {payload.breakdown}"]}
        )
    existed = Target.objects.filter(year=payload.year, unit=unit, figure=payload.figure).exists()
    target = target_save(
        year=payload.year,
        unit=unit,
        figure=payload.figure,
        annual=payload.annual,
        breakdown=payload.breakdown,
        parts=payload.parts,
        definition=definition,
        note=payload.note,
        version=payload.version,
        by=user,
    )
    return HttpStatus(200 if existed else 201, target_data(target))


def _target(request: HttpRequest, target_id: int) -> Target:
    target = (
        scoping.visible_targets(request.auth)
        .select_related("unit", "definition")
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise Http404
    return target


@router.get(
    "/targets/progress", response={200: dict[str, Any], 422: ValidationErrorOut, **READ_ERRORS}
)
def target_progress(request: HttpRequest, query: Query[TargetProgressQuery]):
    """Each target's annual value, schedule %, done % and points ahead (+) or behind (−) on
    `as_of` (the JSON of `yinli targets progress`)."""
    district = _unit(request, query.district, "district") if query.district else None
    try:
        return progress_report(
            user=request.auth, year=query.year, on=query.as_of, district=district
        )
    except PermissionDenied as error:
        raise Http404 from error


@router.get(
    "/targets/ranking", response={200: dict[str, Any], 422: ValidationErrorOut, **READ_ERRORS}
)
def target_ranking(request: HttpRequest, query: Query[TargetRankingQuery]):
    """Every district's score for the period under a scheme, explained line by line."""
    try:
        period = parse_period(query.period)
    except PeriodError as error:
        raise ValidationError({"period": [str(error)]}) from error
    try:
        return ranking_report(user=request.auth, period=period, scheme=query.scheme)
    except PermissionDenied as error:
        raise Http404 from error


@router.get("/targets/schemes", response={200: list[ScoringSchemeOut], **READ_ERRORS})
def scheme_list(request: HttpRequest):
    """The scoring schemes (their items as data)."""
    if not scoping.sees_ranking(request.auth):
        raise Http404
    return [scheme_data(s) for s in ScoringScheme.objects.prefetch_related("items")]


def scheme_data(scheme: ScoringScheme) -> dict[str, Any]:
    return {
        "id": scheme.pk,
        "version": scheme.version,
        "name": scheme.name,
        "is_default": scheme.is_default,
        "note": scheme.note,
        "items": [
            {
                "kind": i.kind,
                "figure": i.figure,
                "weight": i.weight,
                "cap": i.cap,
                "points": i.points,
                "threshold_yi": i.threshold_yi,
            }
            for i in scheme.items.all()
        ],
    }


@router.post("/targets/schemes", response={201: ScoringSchemeOut, **WRITE_ERRORS})
def scheme_create(request: HttpRequest, payload: ScoringSchemeIn):
    """A new scoring scheme with its items. City roles."""
    scheme = scheme_save(
        name=payload.name,
        is_default=payload.is_default,
        note=payload.note,
        items=[item.model_dump() for item in payload.items],
        by=request.auth,
    )
    return HttpStatus(201, scheme_data(scheme))


@router.put("/targets/schemes/{scheme_id}", response={200: ScoringSchemeOut, **WRITE_ERRORS})
def scheme_change(request: HttpRequest, scheme_id: int, payload: ScoringSchemeIn):
    """Change a scheme: its name, note, default flag, and all its items at once. City roles."""
    if not scoping.sees_ranking(request.auth):
        raise Http404
    scheme = ScoringScheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        raise Http404
    scheme = scheme_save(
        scheme=scheme,
        name=payload.name,
        is_default=payload.is_default,
        note=payload.note,
        items=[item.model_dump() for item in payload.items],
        by=request.auth,
        version=payload.version,
    )
    return scheme_data(scheme)


@router.get("/targets/{target_id}", response={200: AnnualTargetOut, **READ_ERRORS})
def target_detail(request: HttpRequest, target_id: int):
    return target_data(_target(request, target_id))


@router.delete("/targets/{target_id}", response={204: None, **WRITE_ERRORS})
def target_remove(request: HttpRequest, target_id: int, version: int | None = None):
    """Remove a target (soft: its history stays). City roles."""
    target_delete(target=_target(request, target_id), by=request.auth, version=version)
    return HttpStatus(204, None)

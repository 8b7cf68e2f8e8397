"""Reference lists a client needs to fill a project: districts, units, industries, channels,
and the region lookup (free text → region, or the candidates when it is ambiguous)."""

from __future__ import annotations

from typing import Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from yinli.core.models import OrgKind, OrgUnit, Region
from yinli.core.regions import resolve_region
from yinli.fieldwork.models import Channel
from yinli.projects.models import Category, Industry

from .schemas import READ_ERRORS, RegionRef

router = Router(tags=["reference"])


class DistrictOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    region: RegionRef | None
    active: bool = Field(description="False once a reorganisation has ended the unit.")


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: Literal[tuple(OrgKind.values)]
    parent: int | None
    district: int | None
    active: bool


class IndustryOut(Schema):
    id: int
    name: str
    category: Literal[tuple(Category.values)]


class ChannelOut(Schema):
    id: int
    code: str
    name: str


class RegionOut(Schema):
    code: str
    name: str
    full_name: str = Field(description="A name a reader recognises: 江苏省镇江市京口区, 韩国首尔.")
    kind: str


class RegionLookupOut(Schema):
    query: str
    status: Literal["ok", "ambiguous", "not_found"]
    message: str
    region: RegionOut | None
    candidates: list[RegionOut] = Field(description="When ambiguous: every region it could be.")


def _active(unit: OrgUnit) -> bool:
    return unit.valid_to is None


@router.get("/districts", response={200: list[DistrictOut], **READ_ERRORS})
def district_list(request: HttpRequest):
    """Districts and parks (板块)."""
    return [
        {
            "id": unit.pk,
            "code": unit.code,
            "name": unit.name,
            "short_name": unit.short_name,
            "region": {"code": unit.region.code, "name": unit.region.name} if unit.region else None,
            "active": _active(unit),
        }
        for unit in OrgUnit.objects.filter(kind=OrgKind.DISTRICT).select_related("region")
    ]


@router.get("/units", response={200: list[UnitOut], **READ_ERRORS})
def unit_list(request: HttpRequest):
    """The organisation tree, flat: city, districts, bureaus, teams, offices."""
    return [
        {
            "id": unit.pk,
            "code": unit.code,
            "name": unit.name,
            "short_name": unit.short_name,
            "kind": unit.kind,
            "parent": unit.parent_id,
            "district": unit.district_id,
            "active": _active(unit),
        }
        for unit in OrgUnit.objects.all()
    ]


@router.get("/industries", response={200: list[IndustryOut], **READ_ERRORS})
def industry_list(request: HttpRequest):
    """Industry directions (产业方向)."""
    return list(Industry.objects.values("id", "name", "category"))


@router.get("/channels", response={200: list[ChannelOut], **READ_ERRORS})
def channel_list(request: HttpRequest):
    """Channels (招商方式)."""
    return list(Channel.objects.values("id", "code", "name"))


def _region_out(region: Region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "full_name": region.full_name,
        "kind": region.kind,
    }


@router.get("/regions", response={200: RegionLookupOut, **READ_ERRORS})
def region_lookup(
    request: HttpRequest,
    q: str = Query(..., description='A code ("310115", "KR") or text ("上海浦东").'),
    within: str | None = Query(None, description="Prefer regions inside this code."),
):
    """Resolve a code or free text to one region, or list the candidates."""
    text = q.strip()
    regions = Region.objects.select_related("city__province", "province", "parent")
    by_code = regions.filter(code=text).first() if text else None
    if by_code is not None:
        return {
            "query": q,
            "status": "ok",
            "message": "",
            "region": _region_out(by_code),
            "candidates": [],
        }
    if within:
        region, result = resolve_region(text, within=within)
    else:
        region, result = resolve_region(text)
    candidates = regions.filter(Q(code__in=result.candidates)).order_by("code")
    if region is not None:
        region = regions.get(pk=region.pk)
    return {
        "query": q,
        "status": result.status,
        "message": result.message,
        "region": _region_out(region) if region is not None else None,
        "candidates": [_region_out(candidate) for candidate in candidates],
    }

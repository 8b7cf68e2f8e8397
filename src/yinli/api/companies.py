"""Companies: the city's shared registry, searched by name, pinyin initials or credit code.

Any signed-in user reads the registry (`scoping.visible_companies`); what a company shows of its
projects still goes through `scoping.visible_projects`, and other districts' projects are only
counted, never shown.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from yinli.companies import services
from yinli.companies.models import Company, Ownership
from yinli.core import scoping
from yinli.core.models import Region
from yinli.core.names import normalize_company_name
from yinli.projects.models import Project, Stage

from .lookups import Resolver
from .schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    AmountInput,
    CompanyRef,
    Number,
    Page,
    PageQuery,
    RegionRef,
    UnitRef,
    WriteSchema,
    paginate,
    region_ref,
    unit_ref,
)

router = Router(tags=["companies"])

OwnershipCode = Literal[tuple(Ownership.values)]


class CompanyOut(Schema):
    id: int
    version: int
    name: str
    uscc: str | None = Field(description="Unified social credit code (统一社会信用代码).")
    region: RegionRef | None
    address: str
    ownership: OwnershipCode
    ownership_label: str
    parent: CompanyRef | None
    legal_representative: str
    registered_capital_wan: Number | None
    established_on: date | None
    registration_status: str
    industry_code: str
    insured_staff: int | None
    business_scope: str
    notes: str
    merged_into: int | None
    created_at: datetime
    updated_at: datetime
    deleted: bool


class CompanyPage(Page):
    items: list[CompanyOut]


class CompanyProject(Schema):
    id: int
    name: str
    district: UnitRef
    stage: str
    stage_label: str
    status: str
    first_signed_on: date | None
    total_investment_wan: Number | None


class CompanyDetail(CompanyOut):
    projects: list[CompanyProject] = Field(description="The company's projects this user may see.")
    other_projects: int = Field(
        description="How many more projects the company has in districts this user cannot see."
    )


def company_data(company: Company) -> dict[str, Any]:
    parent = company.parent
    return {
        "id": company.pk,
        "version": company.version,
        "name": company.name,
        "uscc": company.uscc,
        "region": region_ref(company.region),
        "address": company.address,
        "ownership": company.ownership,
        "ownership_label": (
            str(Ownership(company.ownership).label)
            if company.ownership in Ownership.values
            else company.ownership
        ),
        "parent": {"id": parent.pk, "name": parent.name, "uscc": parent.uscc} if parent else None,
        "legal_representative": company.legal_representative,
        "registered_capital_wan": company.registered_capital,
        "established_on": company.established_on,
        "registration_status": company.registration_status,
        "industry_code": company.industry_code,
        "insured_staff": company.insured_staff,
        "business_scope": company.business_scope,
        "notes": company.notes,
        "merged_into": company.merged_into_id,
        "created_at": timezone.localtime(company.created_at),
        "updated_at": timezone.localtime(company.updated_at),
        "deleted": company.is_deleted,
    }


def company_queryset() -> QuerySet:
    return Company.all_objects.select_related("region", "parent")


def visible_company(request: HttpRequest, company_id: int) -> Company:
    company = (
        scoping.visible_companies(request.auth, company_queryset()).filter(pk=company_id).first()
    )
    if company is None:
        raise Http404
    return company


def search_companies(queryset: QuerySet, text: str) -> QuerySet:
    """Name (as written or normalized), pinyin initials ("hygd" → 恒远光电) or credit code."""
    text = " ".join(text.split())
    if not text:
        return queryset
    condition = Q(name__icontains=text) | Q(uscc__iexact=text)
    normalized = normalize_company_name(text)
    if normalized:
        condition |= Q(name_normalized__icontains=normalized)
    if text.isascii() and text.isalpha():
        condition |= Q(name_initials__contains=text.lower())
    if text.isascii() and text.isalnum() and len(text) >= 6:
        condition |= Q(uscc__istartswith=text)
    return queryset.filter(condition)


class CompanyQuery(PageQuery):
    q: str | None = Field(
        None, description="Name, normalized name, pinyin initials or credit code."
    )
    ownership: list[OwnershipCode] | None = None
    region: str | None = Field(
        None, description='Region code; includes everything under it ("320000": all of Jiangsu).'
    )
    deleted: bool = False


@router.get("/companies", response={200: CompanyPage, **READ_ERRORS})
def company_list(request: HttpRequest, filters: Query[CompanyQuery]):
    queryset = scoping.visible_companies(
        request.auth, company_queryset().filter(deleted_at__isnull=not filters.deleted)
    )
    if filters.q:
        queryset = search_companies(queryset, filters.q)
    if filters.ownership:
        queryset = queryset.filter(ownership__in=filters.ownership)
    if filters.region:
        region = Region.objects.filter(code=filters.region.strip()).first()
        if region is None:
            queryset = queryset.none()
        else:
            queryset = queryset.filter(
                Q(region=region)
                | Q(region__city=region)
                | Q(region__province=region)
                | Q(region__parent=region)
            )
    page = paginate(queryset.order_by("name", "id"), filters)
    page["items"] = [company_data(company) for company in page["items"]]
    return page


@router.get("/companies/{company_id}", response={200: CompanyDetail, **READ_ERRORS})
def company_detail(request: HttpRequest, company_id: int):
    company = visible_company(request, company_id)
    live = Project.objects.filter(company=company)
    visible = list(
        scoping.visible_projects(request.auth, live.select_related("district")).order_by(
            "-first_signed_on", "-id"
        )
    )
    data = company_data(company)
    data["projects"] = [
        {
            "id": project.pk,
            "name": project.name,
            "district": unit_ref(project.district),
            "stage": project.stage,
            "stage_label": str(Stage(project.stage).label),
            "status": project.status,
            "first_signed_on": project.first_signed_on,
            "total_investment_wan": project.total_investment,
        }
        for project in visible
    ]
    data["other_projects"] = live.count() - len(visible)
    return data


class CompanyFields(WriteSchema):
    name: str | None = None
    uscc: str | None = Field(None, description="Unified social credit code; checked.")
    region: str | None = Field(None, description='Region code or text ("上海浦东").')
    address: str | None = None
    ownership: OwnershipCode | None = None
    parent: int | None = Field(None, description="Parent company id.")
    legal_representative: str | None = None
    registered_capital_wan: AmountInput | None = Field(
        None, description='Registered capital: a number in 万元, or text such as "5000万元".'
    )
    established_on: date | None = None
    registration_status: str | None = None
    industry_code: str | None = Field(None, description="GB/T 4754 industry code.")
    insured_staff: int | None = None
    business_scope: str | None = None
    notes: str | None = None


class CompanyCreate(CompanyFields):
    name: str


class CompanyUpdate(CompanyFields):
    version: int = Field(description="The version this change is based on.")


_TEXT_FIELDS = {
    "name",
    "address",
    "ownership",
    "legal_representative",
    "registration_status",
    "industry_code",
    "business_scope",
    "notes",
}


def company_values(request: HttpRequest, sent: dict[str, Any]) -> dict[str, Any]:
    resolve = Resolver()
    data: dict[str, Any] = {}
    for field, value in sent.items():
        if field in _TEXT_FIELDS:
            data[field] = (value or "").strip()
        elif field == "uscc":
            data[field] = (value or "").strip() or None
        elif field in ("established_on", "insured_staff"):
            data[field] = value
        elif field == "region":
            data[field] = resolve.region(field, value)
        elif field == "parent":
            data[field] = resolve.model(
                field,
                value,
                scoping.visible_companies(request.auth),
                names=(),
                missing=_("There is no company with id %(value)s."),
            )
        elif field == "registered_capital_wan":
            data["registered_capital"] = resolve.amount_cny(field, value)
    resolve.check()
    return data


def _reloaded(company: Company) -> dict[str, Any]:
    return company_data(company_queryset().get(pk=company.pk))


@router.post("/companies", response={201: CompanyOut, **WRITE_ERRORS})
def company_create(request: HttpRequest, payload: CompanyCreate):
    data = company_values(request, payload.model_dump(exclude_unset=True))
    company = services.company_create(data=data, by=request.auth)
    return HttpStatus(201, _reloaded(company))


@router.patch("/companies/{company_id}", response={200: CompanyOut, **WRITE_ERRORS})
def company_update(request: HttpRequest, company_id: int, payload: CompanyUpdate):
    """Change the fields sent. Only a user who may change all the company's projects may."""
    company = visible_company(request, company_id)
    sent = payload.model_dump(exclude_unset=True)
    version = sent.pop("version")
    data = company_values(request, sent)
    services.company_update(company=company, data=data, version=version, by=request.auth)
    return _reloaded(company)

"""Reads on the company registry: search, the list's filters, a company's projects for one reader."""

from __future__ import annotations

import django_filters as df
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yinli.core import scoping
from yinli.core.names import normalize_company_name

from .models import Company, Ownership


def company_search_q(text: str) -> Q | None:
    """Name, normalized name, pinyin initials ("hwjs" finds 华为技术) or credit code."""
    text = " ".join((text or "").split())
    if not text:
        return None
    condition = Q(name__icontains=text) | Q(uscc__iexact=text.upper())
    normalized = normalize_company_name(text)
    if normalized:
        condition |= Q(name_normalized__icontains=normalized)
    if text.isascii() and text.isalpha():
        condition |= Q(name_initials__contains=text.lower())
    if text.isascii() and text.isalnum() and len(text) >= 6:
        condition |= Q(uscc__startswith=text.upper())
    return condition


def search_companies(queryset: QuerySet, text: str) -> QuerySet:
    condition = company_search_q(text)
    return queryset if condition is None else queryset.filter(condition)


def region_within_q(region, prefix: str = "region") -> Q:
    return (
        Q(**{prefix: region})
        | Q(**{f"{prefix}__city": region})
        | Q(**{f"{prefix}__province": region})
        | Q(**{f"{prefix}__parent": region})
    )


class CompanyFilter(df.FilterSet):
    q = df.CharFilter(method="filter_q", label=_("Search"))
    ownership = df.MultipleChoiceFilter(choices=Ownership.choices, label=_("Ownership"))
    region = df.CharFilter(method="filter_region", label=_("Region"))

    class Meta:
        model = Company
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_error = ""

    def filter_q(self, queryset, name, value):
        return search_companies(queryset, value)

    def filter_region(self, queryset, name, value):
        from yinli.web.fields import resolve_region_text

        text = value.strip()
        if not text:
            return queryset
        try:
            region = resolve_region_text(text)
        except ValidationError as error:
            self.region_error = " ".join(error.messages)
            return queryset.none()
        return queryset.filter(region_within_q(region))


def company_projects(user, company: Company) -> tuple[QuerySet, int]:
    """The company's projects this user may see, and how many others exist (not shown)."""
    all_projects = company.projects.all()
    visible = scoping.visible_projects(user, all_projects).select_related("district")
    hidden = all_projects.count() - visible.count()
    return visible, hidden


def find_company(text: str) -> Company | None:
    """One company by its credit code or exact name; None if no single one matches."""
    text = " ".join((text or "").split())
    if not text:
        return None
    found = Company.objects.filter(uscc=text.upper()).first()
    if found is not None:
        return found
    matches = list(Company.objects.filter(name=text)[:2])
    return matches[0] if len(matches) == 1 else None

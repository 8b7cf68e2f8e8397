"""The report's figures, counted with plain ORM queries (independent of yinli.stats).

The rule (DESIGN.md, default definition): a signed 亿元以上 project is of category 工业 or 服务业,
counted at first_signed_on, not merged, not deleted, with total investment ≥ 1亿元 (10,000万元)
or agreed foreign investment ≥ 1000万美元 in USD.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from yinli.core.models import RegionGroup
from yinli.projects.models import Project

FOREIGN_OWNERSHIP = ["foreign", "hmt"]
STATE_OWNERSHIP = ["central_soe", "local_soe"]


def signed_counted(start: date, end: date):
    return Project.objects.filter(
        category__in=["industrial", "service"],
        first_signed_on__gte=start,
        first_signed_on__lte=end,
        merged_into__isnull=True,
    ).filter(
        Q(total_investment__gte=10000) | Q(foreign_currency="USD", foreign_investment__gte=1000)
    )


def total(queryset) -> Decimal:
    return queryset.aggregate(s=Sum("total_investment"))["s"] or Decimal(0)


def in_statistics(start: date, end: date):
    return Project.objects.filter(fai_on__gte=start, fai_on__lte=end, merged_into__isnull=True)


def foreign_funded(queryset):
    return queryset.filter(
        Q(company__ownership__in=FOREIGN_OWNERSHIP) | Q(foreign_investment__gt=0)
    )


def from_group(queryset, group_name: str):
    members = list(RegionGroup.objects.get(name=group_name).members.all())

    def within(prefix: str) -> Q:
        return (
            Q(**{f"{prefix}__in": members})
            | Q(**{f"{prefix}__city__in": members})
            | Q(**{f"{prefix}__province__in": members})
            | Q(**{f"{prefix}__parent__in": members})
        )

    return queryset.filter(
        (Q(controller_region__isnull=False) & within("controller_region"))
        | (Q(controller_region__isnull=True) & within("signing_region"))
    )


def source_cities(queryset, home: str = "321100") -> Counter:
    """Out-of-city projects by the city their investor comes from (controller, else signer)."""
    counter: Counter = Counter()
    rows = queryset.select_related("controller_region__city", "signing_region__city").only(
        "controller_region", "signing_region"
    )
    for project in rows:
        region = project.controller_region or project.signing_region
        if region is None:
            continue
        city = region.city or region
        if city.code == home:
            continue
        counter[city.code] += 1
    return counter

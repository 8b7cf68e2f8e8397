"""The project filters: one FilterSet serves the list page, the export and the API."""

from __future__ import annotations

from decimal import Decimal

import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinli.core.models import OrgKind, OrgUnit, Region, RegionGroup

from .models import Category, Industry, Kind, Project, Stage, Status

YI = Decimal(10000)  # 1亿元 = 10000万元

SIZE_BANDS = [
    ("lt1", _("under 100 million yuan")),
    ("ge1", _("100 million yuan or more (亿元以上)")),
    ("ge10", _("1 billion yuan or more (10亿元以上)")),
    ("ge30", _("3 billion yuan or more (30亿元以上)")),
]


def source_q(region: Region) -> Q:
    """Projects whose investor comes from `region` (or anywhere under it).

    The actual controller's location counts where known, else the signing entity's.
    """

    def within(prefix: str) -> Q:
        return (
            Q(**{f"{prefix}": region})
            | Q(**{f"{prefix}__city": region})
            | Q(**{f"{prefix}__province": region})
            | Q(**{f"{prefix}__parent": region})
        )

    return (Q(controller_region__isnull=False) & within("controller_region")) | (
        Q(controller_region__isnull=True) & within("signing_region")
    )


def source_group_q(group: RegionGroup) -> Q:
    """Projects whose investor comes from any member of `group` (or anywhere under one).

    The same as OR-ing source_q over the members, written as four IN lists per side so that
    the condition stays small however many members a group has.
    """
    members = [member.pk for member in group.members.all()]
    if not members:
        return Q(pk__in=[])

    def within(prefix: str) -> Q:
        return (
            Q(**{f"{prefix}__in": members})
            | Q(**{f"{prefix}__city__in": members})
            | Q(**{f"{prefix}__province__in": members})
            | Q(**{f"{prefix}__parent__in": members})
        )

    return (Q(controller_region__isnull=False) & within("controller_region")) | (
        Q(controller_region__isnull=True) & within("signing_region")
    )


class ProjectFilter(df.FilterSet):
    q = df.CharFilter(method="filter_q", label=_("Search"))
    stage = df.MultipleChoiceFilter(choices=Stage.choices, label=_("Stage"))
    status = df.MultipleChoiceFilter(choices=Status.choices, label=_("Status"))
    district = df.ModelMultipleChoiceFilter(
        queryset=OrgUnit.objects.filter(kind=OrgKind.DISTRICT), label=_("District")
    )
    industry = df.ModelMultipleChoiceFilter(queryset=Industry.objects.all(), label=_("Industry"))
    category = df.ChoiceFilter(choices=Category.choices, label=_("Category"))
    kind = df.ChoiceFilter(choices=Kind.choices, label=_("Kind"))
    signed_from = df.DateFilter(
        field_name="first_signed_on", lookup_expr="gte", label=_("Signed from")
    )
    signed_to = df.DateFilter(field_name="first_signed_on", lookup_expr="lte", label=_("Signed to"))
    size = df.ChoiceFilter(choices=SIZE_BANDS, method="filter_size", label=_("Size"))
    source = df.CharFilter(method="filter_source", label=_("Source region (code)"))
    source_group = df.ModelChoiceFilter(
        queryset=RegionGroup.objects.all(),
        method="filter_source_group",
        label=_("Source region group"),
    )
    channel = df.NumberFilter(field_name="channel_id", label=_("Channel"))
    event = df.NumberFilter(field_name="event_id", label=_("Event"))
    company = df.NumberFilter(field_name="company_id", label=_("Company"))
    # A statistics figure's drill-down: ?stat=signed&period=2025H1&definition=1&by=…&key=…
    stat = df.CharFilter(method="filter_stat", label=_("Statistics figure"))

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        condition = (
            Q(name__icontains=text)
            | Q(company__name__icontains=text)
            | Q(controller_name__icontains=text)
            | Q(fai_code__iexact=text)
            | Q(company__uscc__iexact=text)
        )
        if text.isascii() and text.isalpha():
            initials = text.lower()
            condition |= Q(name_initials__contains=initials) | Q(
                company__name_initials__contains=initials
            )
        return queryset.filter(condition)

    def filter_size(self, queryset, name, value):
        bands = {"ge1": 1, "ge10": 10, "ge30": 30}
        if value == "lt1":
            return queryset.filter(total_investment__lt=YI)
        return queryset.filter(total_investment__gte=YI * bands[value])

    def filter_source(self, queryset, name, value):
        region = Region.objects.filter(code=value.strip()).first()
        if region is None:
            return queryset.none()
        return queryset.filter(source_q(region))

    def filter_source_group(self, queryset, name, value):
        return queryset.filter(source_group_q(value))

    def filter_stat(self, queryset, name, value):
        # Exactly the projects a figure counts, through the statistics selector.
        from yinli.stats.drilldown import drilldown_queryset

        return drilldown_queryset(queryset, self.data)

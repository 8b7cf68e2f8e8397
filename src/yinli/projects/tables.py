"""The project ledger as a table (django-tables2): columns, sorting, amounts in the reader's unit."""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from yinli.web.money import money
from yinli.web.templatetags.yinli_ui import stage_badge, status_badge

from .models import STAGE_ORDER, Project

# Regions are shown by their full name, which reads the city and province above them.
REGION_JOINS = [
    f"{name}__{up}"
    for name in ("signing_region", "controller_region")
    for up in ("city__province", "province", "parent")
]
LIST_RELATED = ["company", "district", "industry", "responsible_unit", *REGION_JOINS]


def stage_rank_expression():
    return Case(
        *[When(stage=stage, then=Value(rank)) for rank, stage in enumerate(STAGE_ORDER)],
        output_field=IntegerField(),
    )


class ProjectTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Project"),
        linkify=("projects:detail", [tables.A("pk")]),
        attrs={"td": {"class": "text-break"}},
    )
    company = tables.Column(verbose_name=_("Investor"), accessor="company__name", default="—")
    district = tables.Column(verbose_name=_("District"), accessor="district__name")
    industry = tables.Column(verbose_name=_("Industry"), accessor="industry__name", default="—")
    stage = tables.Column(verbose_name=_("Stage"))
    status = tables.Column(verbose_name=_("Status"))
    total_investment = tables.Column(
        verbose_name=_("Total investment"),
        attrs={"td": {"class": "amount"}, "th": {"class": "amount"}},
    )
    first_signed_on = tables.DateColumn(verbose_name=_("Signed on"), format="Y-m-d", default="—")
    source = tables.Column(
        verbose_name=_("Source"), accessor="source_region", orderable=False, default="—"
    )

    class Meta:
        model = Project
        fields = (
            "name",
            "company",
            "district",
            "industry",
            "stage",
            "status",
            "total_investment",
            "first_signed_on",
            "source",
        )
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-sm table-hover align-middle bg-white"}
        empty_text = _("No project matches.")
        order_by = ("-first_signed_on",)

    def __init__(self, *args, unit: str = "yi", **kwargs):
        self.unit = unit
        super().__init__(*args, **kwargs)

    def render_stage(self, record):
        return stage_badge(record)

    def render_status(self, record):
        return status_badge(record)

    def render_total_investment(self, value):
        return money(value, self.unit)

    def render_source(self, value):
        return value.full_name

    def order_stage(self, queryset, is_descending):
        queryset = queryset.annotate(_stage_rank=stage_rank_expression()).order_by(
            ("-" if is_descending else "") + "_stage_rank", "-id"
        )
        return queryset, True

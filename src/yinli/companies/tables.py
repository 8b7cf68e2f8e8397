"""The company registry as a table."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Company


class CompanyTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Company"),
        linkify=("companies:detail", [tables.A("pk")]),
        attrs={"td": {"class": "text-break"}},
    )
    uscc = tables.Column(verbose_name=_("Credit code"), default="—")
    ownership = tables.Column(verbose_name=_("Ownership"))
    region = tables.Column(verbose_name=_("Region"), default="—", order_by=("region__code",))
    project_count = tables.Column(verbose_name=_("Projects"), orderable=True)

    class Meta:
        model = Company
        fields = ("name", "uscc", "ownership", "region", "project_count")
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-sm table-hover align-middle bg-white"}
        empty_text = _("No company matches.")

    def render_region(self, value):
        return value.full_name

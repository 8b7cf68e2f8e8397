"""The filtered project list as CSV, streamed row by row (the Excel issue adds templates)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.parsing import format_amount

from .filters import ProjectFilter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(queryset, *, unit: str = "yi") -> Iterator[list[str]]:
    amount_header = (
        _("Total investment (100 million yuan)")
        if unit == "yi"
        else _("Total investment (10 thousand yuan)")
    )
    yield [
        _("No."),
        _("Project name"),
        _("Investor"),
        _("Source"),
        amount_header,
        _("Agreed foreign investment (10 thousand)"),
        _("Currency"),
        _("Industry direction"),
        _("Category"),
        _("District"),
        _("Signed on"),
        _("Stage"),
        _("Status"),
        _("First-contact person"),
        _("Channel"),
        _("Credit code"),
        _("Investment project code"),
        _("Accepted into statistics"),
    ]
    rows = queryset.select_related(
        "company", "signing_region", "controller_region", "industry", "district", "channel"
    ).order_by("pk")
    for number, project in enumerate(rows.iterator(chunk_size=2000), start=1):
        source = project.controller_region or project.signing_region
        total = project.total_investment
        yield [
            str(number),
            neutralize(project.name),
            neutralize(project.company.name if project.company else ""),
            source.full_name if source else "",
            ""
            if total is None
            else format_amount(total, "亿元" if unit == "yi" else "万元", 4, with_unit=False),
            ""
            if project.foreign_investment is None
            else str(project.foreign_investment.normalize()),
            project.foreign_currency if project.foreign_investment else "",
            project.industry.name if project.industry else "",
            project.get_category_display(),
            project.district.name,
            project.first_signed_on.isoformat() if project.first_signed_on else "",
            project.get_stage_display(),
            project.get_status_display(),
            neutralize(project.first_contact),
            project.channel.name if project.channel else "",
            project.company.uscc or "" if project.company else "",
            neutralize(project.fai_code),
            project.fai_on.strftime("%Y-%m") if project.fai_on else "",
        ]


def project_export_csv(request):
    queryset = scoping.visible_projects(request.user)
    filtered = ProjectFilter(request.GET, queryset=queryset).qs
    unit = request.GET.get("unit") or getattr(request.user, "amount_unit", "yi")
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # a BOM, so that Excel and WPS open the UTF-8 file as such
        for row in export_rows(filtered, unit=unit):
            yield writer.writerow(row)

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="projects-{stamp}.csv"'
    return response

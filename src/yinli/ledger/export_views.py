"""Pages of the ledger export: the export of the filtered project list and the export log."""

from __future__ import annotations

import os
import tempfile

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from yinli.web.money import user_unit

from .export import LedgerExport, export_file_name, log_export, template_named, visible_export_logs
from .models import ExportFormat, ExportTemplate

# Query keys of the export itself (and of the list page), not of the project filter.
EXPORT_KEYS = ("format", "template", "unit", "page", "sort", "per_page")


def _filter_data(request):
    data = request.GET.copy()
    for key in EXPORT_KEYS:
        data.pop(key, None)
    return data


def project_export(request, fmt: str | None = None):
    """The filtered project list as .xlsx or .csv, through a template, logged."""
    fmt = fmt or request.GET.get("format") or ExportFormat.XLSX
    if fmt not in ExportFormat.values:
        return HttpResponseBadRequest(_("Unknown export format “%(format)s”.") % {"format": fmt})
    try:
        template = template_named(request.GET.get("template"))
        export = LedgerExport(
            user=request.user,
            data=_filter_data(request),
            template=template,
            unit=request.GET.get("unit") or user_unit(request.user),
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    name = export_file_name(export, fmt)
    if fmt == ExportFormat.CSV:
        export.rows_written = export.count()
        log_export(export, fmt=fmt, file_name=name)
        response = StreamingHttpResponse(export.csv_lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    # A temporary file, read back by the response and gone when it is closed.
    handle = tempfile.NamedTemporaryFile(prefix="yinli-export-", suffix=".xlsx", delete=False)
    handle.close()
    try:
        export.write_xlsx(handle.name)
        stream = open(handle.name, "rb")
    finally:
        os.unlink(handle.name)
    log_export(export, fmt=fmt, file_name=name)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_log(request):
    """Who exported what: city roles see every export, a district its own."""
    logs = visible_export_logs(request.user)
    page = Paginator(logs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/export_log.html",
        {"page": page, "templates": ExportTemplate.objects.all()},
    )

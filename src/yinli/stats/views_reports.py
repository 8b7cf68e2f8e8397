"""Published report pages: the list, a report as published beside today's figures, the frozen
projects behind a headline figure, the downloads (Word, Excel, JSON), and the publish form.

Every user of the organisation reads every published report (yinli.stats.publish); a report
outside that is a 404; only city roles see the publish form (403 for others). Today's figures
show to those who may compute them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from yinli.reporting.selectors import corrections_for_published
from yinli.web.fields import apply_service_errors

from .docx import (
    breakdowns,
    follow_through_items,
    headline_header,
    headline_rows,
    report_docx,
)
from .forms_reports import PublishForm
from .models import PublishedReport
from .publish import (
    NotPublished,
    can_compare,
    can_publish,
    diff_since_published,
    figure_labels,
    frozen_projects,
    publish_report,
    published_json,
    visible_published,
)
from .xlsx import report_xlsx

PER_PAGE = 50
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def get_published(request, pk: int) -> PublishedReport:
    published = (
        visible_published(request.user).select_related("superseded_by", "supersedes").filter(pk=pk)
    ).first()
    if published is None:
        raise Http404
    return published


def published_list(request):
    queryset = visible_published(request.user).select_related("superseded_by")
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "stats/reports/published_list.html",
        {"page": page, "reports": page.object_list, "can_publish": can_publish(request.user)},
    )


def _headline_links(published: PublishedReport) -> list[dict]:
    """The headline figures of the frozen report, each with its frozen project list."""
    report = published.report
    labels = figure_labels(published.definition)
    items = [
        {
            "key": "signed",
            "label": labels["signed"],
            "count": report["signed"]["count"],
            "investment_yi": report["signed"]["investment_yi"],
            "count_yoy_pct": report["signed"]["count_yoy_pct"],
            "investment_yoy_pct": report["signed"]["investment_yoy_pct"],
        }
    ]
    for category in published.definition.categories:
        figures = report["signed"].get(category) or {}
        items.append(
            {
                "key": f"signed_{category}",
                "label": labels[f"signed_{category}"],
                "count": figures.get("count"),
                "investment_yi": figures.get("investment_yi"),
                "count_yoy_pct": figures.get("count_yoy_pct"),
                "investment_yoy_pct": figures.get("investment_yoy_pct"),
            }
        )
    items.append(
        {
            "key": "foreign",
            "label": labels["foreign"],
            "count": report["foreign"]["count"],
            "investment_yi": report["foreign"]["investment_yi"],
            "share_pct": report["foreign"]["investment_share_pct"],
        }
    )
    items.append(
        {
            "key": "in_statistics",
            "label": labels["in_statistics"],
            "count": report["in_statistics"]["count"],
            "investment_yi": report["in_statistics"]["investment_yi"],
            "investment_yoy_pct": report["in_statistics"]["investment_yoy_pct"],
        }
    )
    return [item for item in items if item["key"] in published.counted_ids]


def published_detail(request, pk: int):
    published = get_published(request, pk)
    report = published.report
    diff = None
    if can_compare(request.user, published):
        diff = diff_since_published(published=published, user=request.user)
    tables = [
        {"key": key, "title": title, "rows": report.get(key) or []}
        for key, title in breakdowns()
        if report.get(key)
    ]
    return render(
        request,
        "stats/reports/published_detail.html",
        {
            "published": published,
            "report": report,
            "headlines": _headline_links(published),
            "headline_header": headline_header(),
            "headline_rows": headline_rows(report),
            "follow_through": follow_through_items(report),
            "tables": tables,
            "diff": diff,
            "superseded_by": getattr(published, "superseded_by", None),
            "corrections": corrections_for_published(published),  # reporting: 定版后更正
        },
    )


def published_projects(request, pk: int, figure: str):
    published = get_published(request, pk)
    try:
        rows, hidden = frozen_projects(published=published, figure=figure, user=request.user)
    except NotPublished as error:
        raise Http404 from error
    label = figure_labels(published.definition).get(figure, figure)
    return render(
        request,
        "stats/reports/published_projects.html",
        {"published": published, "rows": rows, "hidden": hidden, "label": label},
    )


def published_download(request, pk: int, fmt: str):
    published = get_published(request, pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    report = published_json(published)
    filename = f"yinli-{published.period_code}-{published.pk}.{fmt}"
    if fmt == "json":
        response = JsonResponse(report, json_dumps_params={"ensure_ascii": False, "indent": 2})
    else:
        data = report_docx(report) if fmt == "docx" else report_xlsx(report)
        response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def publish(request):
    if not can_publish(request.user):
        raise PermissionDenied
    form = PublishForm(request.POST or None, initial={"period": request.GET.get("period", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            published = publish_report(
                user=request.user,
                period=data["period"],
                district=data["district"],
                definition=data["definition"],
                title=data["title"],
                note=data["note"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            message = _("Published: %(title)s.") % {"title": published.title}
            if published.supersedes_id:
                message += " " + _("It supersedes the report published on %(when)s.") % {
                    "when": localtime(published.supersedes.published_at).strftime("%Y-%m-%d %H:%M")
                }
            messages.success(request, message)
            return redirect("stats:published-detail", pk=published.pk)
    return render(request, "stats/reports/publish_form.html", {"form": form})

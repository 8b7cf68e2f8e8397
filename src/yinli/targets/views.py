"""Pages of the targets app: the year's targets and progress, the grid editor, one target's
breakdown, import and export, the ranking (龙虎榜), the scoring schemes and the monthly summary.

Reads go through yinli.targets.scoping: a target the user may not see is a 404; a page the user
sees but may not act on (editing, for a district) is a 403. Writes go through services.py.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinli.core.models import OrgKind
from yinli.core.services import StaleWriteError
from yinli.referrals.selectors import reference_day
from yinli.stats.periods import PeriodError, months_period, parse_period

from . import scoping, services
from .excel import export_targets, import_targets
from .figures import FIGURES, figure_choices
from .models import Breakdown, ItemKind, ScoringScheme, Target
from .report import progress_report, ranking_report
from .schedule import month_table, monthly_amounts
from .selectors import grid, progress_of, targets_of, units_for_grid
from .summary import monthly_summary, summary_docx, summary_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("year") or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def _as_of(request, year: int, today: date) -> date:
    text = request.GET.get("as_of", "")
    try:
        return date.fromisoformat(text)
    except ValueError:
        return today if today.year == year else date(year, 12, 31)


def index(request):
    user = request.user
    if not scoping.visible_units(user).exists() and not scoping.sees_ranking(user):
        raise Http404
    today = reference_day()
    year = _year(request, today.year)
    on = _as_of(request, year, today)
    rows = progress_report(user=user, year=year, on=on)["targets"]
    table, figures = grid(rows)
    return render(
        request,
        "targets/index.html",
        {
            "year": year,
            "as_of": on,
            "table": table,
            "figures": [(key, FIGURES[key]) for key in figures],
            "may_set": scoping.may_set_targets(user),
            "sees_ranking": scoping.sees_ranking(user),
            "years": range(today.year - 2, today.year + 2),
            "summary_month": f"{on.year}-{on.month:02d}",
        },
    )


def _may_set(user) -> None:
    if not scoping.may_set_targets(user):
        raise PermissionDenied


def edit(request):
    """The grid of a year: units × figures; an empty cell removes that target."""
    user = request.user
    _may_set(user)
    today = reference_day()
    year = _year(request, today.year)
    with_units = request.GET.get("units") == "all" or request.POST.get("units") == "all"
    units = units_for_grid(user)
    if not with_units:
        units = units.filter(kind=OrgKind.DISTRICT)
    units = list(units)
    existing = {(t.unit_id, t.figure): t for t in Target.objects.filter(year=year, unit__in=units)}
    keys = list(FIGURES)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        try:
            with transaction.atomic():
                for unit in units:
                    for key in keys:
                        name = f"v-{unit.pk}-{key}"
                        text = request.POST.get(name, "").strip()
                        values[name] = text
                        target = existing.get((unit.pk, key))
                        version = request.POST.get(f"ver-{unit.pk}-{key}") or None
                        try:
                            if text == "":
                                if target is not None:
                                    services.target_delete(target=target, by=user, version=version)
                                continue
                            value = services.parse_amount(text, field="annual")
                            if target is not None and target.annual == value:
                                continue
                            services.target_save(
                                year=year,
                                unit=unit,
                                figure=key,
                                annual=value,
                                breakdown=target.breakdown if target else Breakdown.EVEN_MONTHS,
                                parts=target.parts if target else None,
                                by=user,
                                version=version,
                            )
                        except StaleWriteError:
                            errors[name] = _("Changed by someone else meanwhile; reload.")
                        except ValidationError as error:
                            errors[name] = " ".join(error.messages)
                if errors:
                    raise ValidationError("grid")
        except ValidationError:
            messages.error(request, _("Nothing was saved: correct the cells marked in red."))
        else:
            messages.success(request, _("The targets of %(year)s are saved.") % {"year": year})
            url = reverse("targets:index") + f"?year={year}"
            return redirect(url)
    rows = []
    for unit in units:
        cells = []
        for key in keys:
            name = f"v-{unit.pk}-{key}"
            target = existing.get((unit.pk, key))
            if name in values:
                value = values[name]
            else:
                value = "" if target is None else f"{target.annual.normalize():f}"
            cells.append(
                {
                    "name": name,
                    "version_name": f"ver-{unit.pk}-{key}",
                    "value": value,
                    "target": target,
                    "error": errors.get(name),
                }
            )
        rows.append({"unit": unit, "cells": cells})
    return render(
        request,
        "targets/edit.html",
        {
            "year": year,
            "rows": rows,
            "figures": [FIGURES[k] for k in keys],
            "with_units": with_units,
        },
    )


def detail(request, pk: int):
    """One target: its schedule month by month, its progress today, its breakdown (city edits)."""
    user = request.user
    target = get_object_or_404(
        scoping.visible_targets(user).select_related("unit", "definition"), pk=pk
    )
    may_set = scoping.may_set_targets(user)
    form_errors: list[str] = []
    if request.method == "POST":
        _may_set(user)
        breakdown = request.POST.get("breakdown", "")
        count = {Breakdown.MONTHS: 12, Breakdown.QUARTERS: 4}.get(breakdown, 0)
        prefix = "m" if count == 12 else "q"
        parts = [request.POST.get(f"{prefix}{i}", "") for i in range(1, count + 1)] or None
        try:
            services.target_save(
                year=target.year,
                unit=target.unit,
                figure=target.figure,
                annual=request.POST.get("annual", ""),
                breakdown=breakdown,
                parts=parts,
                note=request.POST.get("note", ""),
                definition=target.definition,
                by=user,
                version=request.POST.get("version") or None,
            )
        except ValidationError as error:
            form_errors = error.messages
        else:
            messages.success(request, _("The target is saved."))
            return redirect("targets:detail", pk=target.pk)
    today = reference_day()
    on = today if today.year == target.year else date(target.year, 12, 31)
    schedule = month_table(
        annual=target.annual,
        months=monthly_amounts(
            annual=target.annual, breakdown=target.breakdown, parts=target.parts
        ),
    )
    parts = list(target.parts) if target.parts else []
    return render(
        request,
        "targets/detail.html",
        {
            "target": target,
            "spec": FIGURES.get(target.figure),
            "progress": progress_of(target, on=on),
            "schedule": schedule,
            "may_set": may_set,
            "breakdowns": Breakdown.choices,
            "month_parts": parts if target.breakdown == Breakdown.MONTHS else [""] * 12,
            "quarter_parts": parts if target.breakdown == Breakdown.QUARTERS else [""] * 4,
            "form_errors": form_errors,
            "history": target.history.select_related("history_user").order_by("-history_date")[:10],
        },
    )


def export(request):
    user = request.user
    if not scoping.visible_units(user).exists():
        raise Http404
    year = _year(request, reference_day().year)
    content = export_targets(targets_of(user=user, year=year))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="targets-{year}.xlsx"'
    return response


@require_POST
def upload(request):
    user = request.user
    _may_set(user)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an Excel file (.xlsx) to import."))
        return redirect("targets:index")
    try:
        result = import_targets(data=upload.read(), by=user)
    except ValidationError as error:
        for message in error.messages[:30]:
            messages.error(request, message)
        if len(error.messages) > 30:
            messages.error(
                request, _("… and %(count)s more.") % {"count": len(error.messages) - 30}
            )
        messages.error(request, _("Nothing was imported."))
    else:
        messages.success(
            request,
            _("Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
            % result.as_dict(),
        )
    return redirect("targets:index")


def ranking(request):
    user = request.user
    if not scoping.sees_ranking(user):
        raise Http404
    today = reference_day()
    default = months_period(today.year, 1, today.year, max(today.month - 1, 1)).code
    text = request.GET.get("period") or default
    schemes = list(ScoringScheme.objects.all())
    report, error = None, None
    scheme_id = request.GET.get("scheme") or None
    if schemes:
        try:
            report = ranking_report(user=user, period=parse_period(text), scheme=scheme_id)
        except PeriodError as problem:
            error = str(problem)
        except ValidationError as problem:
            error = " ".join(problem.messages)
    return render(
        request,
        "targets/ranking.html",
        {
            "period_text": text,
            "schemes": schemes,
            "scheme_id": str(scheme_id or (report["scheme"]["id"] if report else "")),
            "report": report,
            "error": error,
            "own_district": scoping.own_district_id(user),
            "may_set": scoping.may_set_targets(user),
        },
    )


def schemes(request):
    user = request.user
    if not scoping.sees_ranking(user):
        raise Http404
    return render(
        request,
        "targets/schemes.html",
        {
            "schemes": ScoringScheme.objects.prefetch_related("items"),
            "may_set": scoping.may_set_targets(user),
            "kinds": dict(ItemKind.choices),
            "figure_names": dict(figure_choices()),
        },
    )


EMPTY_ROWS = 3
ITEM_FIELDS = ("kind", "figure", "weight", "cap", "points", "threshold_yi")


def scheme_edit(request, pk: int | None = None):
    user = request.user
    if not scoping.sees_ranking(user):
        raise Http404
    scheme = get_object_or_404(ScoringScheme, pk=pk) if pk else None
    _may_set(user)
    error_list: list[str] = []
    if request.method == "POST":
        items = []
        for i in range(int(request.POST.get("rows", 0) or 0)):
            item = {f: request.POST.get(f"{f}-{i}", "").strip() for f in ITEM_FIELDS}
            if item["kind"] and request.POST.get(f"delete-{i}") != "on":
                items.append(item)
        try:
            saved = services.scheme_save(
                scheme=scheme,
                name=request.POST.get("name", ""),
                note=request.POST.get("note", ""),
                is_default=request.POST.get("is_default") == "on",
                items=items,
                by=user,
                version=request.POST.get("version") or None,
            )
        except ValidationError as error:
            error_list = error.messages
            rows = items
        else:
            messages.success(request, _("The scoring scheme is saved."))
            return redirect(reverse("targets:ranking") + f"?scheme={saved.pk}")
    else:
        rows = [
            {f: "" if getattr(item, f) is None else str(getattr(item, f)) for f in ITEM_FIELDS}
            for item in (scheme.items.all() if scheme else [])
        ]
    rows = rows + [dict.fromkeys(ITEM_FIELDS, "") for _i in range(EMPTY_ROWS)]
    return render(
        request,
        "targets/scheme_form.html",
        {
            "scheme": scheme,
            "rows": rows,
            "row_count": len(rows),
            "kinds": ItemKind.choices,
            "figures": figure_choices(),
            "errors": error_list,
            "post": request.POST if request.method == "POST" else None,
        },
    )


def summary(request):
    user = request.user
    if not scoping.visible_units(user).exists():
        raise Http404
    try:
        month = parse_period(request.GET.get("month", ""))
    except PeriodError as error:
        messages.error(request, str(error))
        return redirect("targets:index")
    if month.kind != "month":
        messages.error(request, _("Choose a month such as 2025-06."))
        return redirect("targets:index")
    fmt = request.GET.get("format", "docx")
    data = monthly_summary(user=user, month=month)
    if fmt == "xlsx":
        response = HttpResponse(summary_xlsx(data), content_type=XLSX)
    else:
        fmt = "docx"
        response = HttpResponse(summary_docx(data), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="summary-{month.code}.{fmt}"'
    return response

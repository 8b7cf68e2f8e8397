"""The home page and the reader's display preferences."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yinli.core import scoping
from yinli.core.history import entries_from_records
from yinli.projects.models import Project, Stage, Status
from yinli.projects.rules import incomplete_fields

from . import panels
from .money import UNITS

RECENT = 10
ATTENTION = 10
# How many of her active projects are checked for missing fields (the oldest first come last).
ATTENTION_SCAN = 300


def home(request):
    user = request.user
    visible = scoping.visible_projects(user)
    by_stage = {
        row["stage"]: row
        for row in visible.order_by()
        .values("stage")
        .annotate(count=Count("id"), total=Sum("total_investment"))
    }
    stages = [
        {
            "stage": stage,
            "count": by_stage.get(stage.value, {}).get("count", 0),
            "total": by_stage.get(stage.value, {}).get("total"),
        }
        for stage in Stage
    ]
    records = Project.history.filter(id__in=visible.values("id")).order_by(
        "-history_date", "-history_id"
    )[:RECENT]
    recent = entries_from_records(records)

    attention = []
    candidates = (
        scoping.changeable_projects(user)
        .filter(status=Status.ACTIVE)
        .select_related("company")
        .order_by("-updated_at")[:ATTENTION_SCAN]
    )
    for project in candidates:
        missing = incomplete_fields(project)
        if missing:
            attention.append({"project": project, "missing": missing})
            if len(attention) >= ATTENTION:
                break
    return render(
        request,
        "web/home.html",
        {
            "stages": stages,
            "total_count": sum(s["count"] for s in stages),
            "recent": recent,
            "attention": attention,
            "may_change": scoping.changes_everything(user)
            or scoping.districts_for_entry(user).exists(),
            "panels": panels.collect(request),
        },
    )


@require_POST
def amount_unit(request):
    """Remember whether the reader sees amounts in 万元 or 亿元, then go back where she was."""
    unit = request.POST.get("unit")
    if unit in UNITS and request.user.amount_unit != unit:
        request.user.amount_unit = unit
        request.user.save(update_fields=["amount_unit"])
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)

"""Panels of the followup app (yinli.web.panels): a project's follow-through, the user's alerts."""

from __future__ import annotations

from yinli.core import scoping
from yinli.stats.dashboard import reference_day
from yinli.web.panels import home_panel, project_panel

from . import alerts, selectors


@project_panel(order=10, name="follow-through")
def follow_through(request, project):
    """Funds in place against the total, the project's open alerts, its permit checklist."""
    if project.is_deleted or project.first_signed_on is None:
        return None
    today = reference_day()
    return {
        "template": "followup/_project_panel.html",
        "funds": selectors.project_funds(project=project),
        # The project page shows every alert of the project to whoever sees the project.
        "alerts": alerts.project_alerts(project=project, as_of=today),
        "permits": selectors.permit_progress(project=project, today=today),
        "can_change": scoping.can_change_project(request.user, project),
        "today": today,
    }


@home_panel(order=25, name="open-alerts")
def open_alerts(request):
    """How many alerts of the projects the user follows are open, by rule."""
    today = reference_day()
    counts = [(rule, n) for rule, n in alerts.alert_counts(user=request.user, as_of=today) if n]
    if not counts:
        return None
    return {
        "template": "followup/_home_panel.html",
        "counts": counts,
        "total": sum(n for _rule, n in counts),
        "today": today,
    }

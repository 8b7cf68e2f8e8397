"""Home panel: the latest published reports (every user of the organisation reads them)."""

from __future__ import annotations

from yinli.web.panels import home_panel

from .publish import visible_published

LATEST = 5


@home_panel(order=20, name="published-reports")
def latest_published_reports(request):
    items = list(visible_published(request.user).order_by("-published_at", "-pk")[:LATEST])
    if not items:
        return None
    return {"template": "stats/reports/_home_panel.html", "items": items}

"""Home-page panels of the projects app (yinli.web.panels): open 撞车 conflicts."""

from __future__ import annotations

from yinli.web.panels import home_panel

from .conflicts import open_conflicts_for

SHOWN = 8


@home_panel(order=30, name="open-conflicts")
def open_conflicts(request):
    """Open conflicts naming the user's district (for the city: every open one)."""
    queryset = open_conflicts_for(request.user)
    items = list(queryset[: SHOWN + 1])
    if not items:
        return None
    total = queryset.count() if len(items) > SHOWN else len(items)
    return {
        "template": "projects/_home_panel_conflicts.html",
        "items": items[:SHOWN],
        "more": max(total - SHOWN, 0),
        "total": total,
    }

"""The home page's field-work panel: the user's overdue next steps."""

from __future__ import annotations

from yinli.web.panels import home_panel

from . import selectors

SHOWN = 8


@home_panel(order=50, name="overdue-next-steps")
def overdue_next_steps(request):
    overdue = selectors.overdue_visits(user=request.user)
    count = overdue.count()
    if not count:
        return None
    return {
        "template": "fieldwork/_home_panel.html",
        "items": list(overdue[:SHOWN]),
        "count": count,
    }

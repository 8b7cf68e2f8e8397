"""The home page's import panel: the user's uploads waiting, and the latest imports she may see."""

from __future__ import annotations

from yinli.web.panels import home_panel

from . import jobs
from .batches import visible_batches

RECENT = 3


@home_panel(order=60, name="ledger-imports")
def recent_imports(request):
    user = request.user
    pending = jobs.uploads_of(user)[:3]
    recent = list(visible_batches(user).filter(kind="projects")[:RECENT])
    if not pending and not recent:
        return None
    return {"template": "ledger/_home_panel.html", "pending": pending, "recent": recent}

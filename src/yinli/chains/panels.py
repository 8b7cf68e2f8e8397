"""Home-page panel of the chains app (yinli.web.panels): the gaps of each chain."""

from __future__ import annotations

from yinli.web.panels import home_panel

from .selectors import chain_summaries


@home_panel(order=50, name="chain-gaps")
def chain_gaps(request):
    """Each chain with its missing and weak nodes (强链补链: where to look for companies)."""
    items = [
        item
        for item in chain_summaries(user=request.user)
        if item["counts"]["missing"] or item["counts"]["weak"]
    ]
    if not items:
        return None
    return {"template": "chains/_home_panel.html", "items": items}

"""Home-page panel: the referral responses past their deadline that the user can see.

A district sees its own late answers; the city and the referring office see every district's.
"""

from __future__ import annotations

from yinli.web.panels import home_panel

from . import selectors

SHOWN = 8


@home_panel(order=40, name="overdue-referrals")
def overdue_referrals(request):
    today = selectors.reference_day()
    groups = selectors.overdue_by_target(selectors.overdue_targets(user=request.user, today=today))
    if not groups:
        return None
    return {
        "template": "referrals/_home_panel.html",
        "items": groups[:SHOWN],
        "more": max(len(groups) - SHOWN, 0),
    }

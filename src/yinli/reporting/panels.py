"""Home-page panel: 催报 — the monthly reports not submitted by their deadline.

A district sees its own; the city every district's; with the days overdue.
"""

from __future__ import annotations

from datetime import timedelta

from yinli.web.panels import home_panel, project_panel

from . import calendar, locks, scoping, selectors

SHOWN = 8


@home_panel(order=15, name="overdue-reports")
def overdue_reports(request):
    today = selectors.reference_day()
    # The month most recently due is in the calendar (so that it can be reminded).
    due = calendar.month_start(today) - timedelta(days=1)
    period = calendar.month_period(due)
    if period.deadline >= today:
        calendar.month_period(calendar.month_start(due) - timedelta(days=1))
    items = selectors.overdue(user=request.user, today=today)
    if not items:
        return None
    return {"template": "reporting/_home_panel.html", "items": items[:SHOWN],
            "more": max(len(items) - SHOWN, 0)}  # fmt: skip


@project_panel(order=60, name="report-lock")
def report_lock(request, project):
    """On a project's page: the locked months (定版锁库) its figures count in, if any."""
    reports = locks.locked_reports(locks.project_months(project))
    if not reports:
        return None
    return {"template": "reporting/_project_lock.html", "reports": reports,
            "may_correct": scoping.may_correct(request.user)}  # fmt: skip

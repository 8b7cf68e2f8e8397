"""Home panel: a district's own targets against the schedule (today, or the demo's day).

Only for a user of a district (its editors, viewers, teams): four or five targets, a handful of
aggregate queries. The city's overview is the targets page and the ranking, one click away.
"""

from __future__ import annotations

from yinli.core import scoping as core_scoping
from yinli.core.models import OrgUnit
from yinli.web.panels import home_panel

from . import scoping
from .report import progress_report


@home_panel(order=35, name="targets-progress")
def own_district_progress(request):
    user = request.user
    district_id = scoping.own_district_id(user)
    if district_id is None or core_scoping.sees_everything(user):
        return None
    from yinli.referrals.selectors import reference_day

    on = reference_day()
    district = OrgUnit.objects.filter(pk=district_id).first()
    report = progress_report(user=user, year=on.year, on=on, district=district)
    rows = [row for row in report["targets"] if row["unit"]["id"] == district_id]
    if not rows:
        return None
    return {"template": "targets/_home_panel.html", "rows": rows, "as_of": on, "district": district}

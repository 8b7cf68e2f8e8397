"""The demo city's report cycle: monthly reports of every district, January to July 2025.

All accepted through June (each submitted a few days before its deadline, 丹阳市's March two
days late); July as a real month looks on the reference date (2025-08-10, deadline 08-05):
京口区 returned once (a comment on one project and an overall one), corrected, resubmitted
and accepted; 润州区 submitted two days late and awaiting review; 扬中市 not submitted at all
(overdue); the others accepted. Snapshots are the projects as they stood at each month's end
(stage from the stage log), so the changes between months are the real ones.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from yinli.core.models import OrgKind, OrgUnit, User
from yinli.reporting import calendar
from yinli.reporting.models import (
    Action,
    ProjectComment,
    Report,
    ReportEvent,
    ReportState,
)
from yinli.reporting.selectors import report_projects, snapshot_of

YEAR = 2025
LAST_MONTH = 7
RETURNED = "jingkou"
LATE_SUBMITTED = "runzhou"
NOT_SUBMITTED = "yangzhong"
LATE_EARLIER = ("danyang", 3)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def build(*, users: dict[str, User]) -> dict[str, int]:
    admin, analyst = users["admin"], users.get("analyst") or users["admin"]
    districts = list(OrgUnit.objects.filter(kind=OrgKind.DISTRICT).order_by("sort_order", "code"))
    editors = {
        u.org_unit.district_id: u
        for u in User.objects.filter(role="district_editor", org_unit__isnull=False)
        .select_related("org_unit")
        .order_by("pk")
    }
    calendar.weekly_schedule()
    counts = {"reports": 0, "report_steps": 0}
    previous: dict[int, tuple[dict, str]] = {}
    for month in range(1, LAST_MONTH + 1):
        period = calendar.month_period(date(YEAR, month, 1))
        for index, district in enumerate(districts):
            code = district.code
            if month == LAST_MONTH and code == NOT_SUBMITTED:
                continue
            by = editors.get(district.pk) or admin
            snapshot = snapshot_of(
                report_projects(district=district, period=period), as_of=period.end
            )
            baseline, baseline_code = previous.get(district.pk, ({}, ""))
            late = (code, month) == LATE_EARLIER or (month == LAST_MONTH and code == LATE_SUBMITTED)
            submitted_on = period.deadline + timedelta(days=2) if late else (
                period.deadline - timedelta(days=1 + (index + month) % 3)
            )  # fmt: skip
            steps = [(Action.SUBMIT, by, _at(submitted_on, 16), "")]
            state = ReportState.ACCEPTED
            comment = ""
            returned_project = None
            if month == LAST_MONTH and code == LATE_SUBMITTED:
                state = ReportState.SUBMITTED
            elif month == LAST_MONTH and code == RETURNED:
                comment = "个别项目投资额与合同不一致，请核实后重新报送。"
                returned_project = next(
                    (int(k) for k, v in sorted(snapshot.items()) if v.get("first_signed_on")
                     and v["first_signed_on"] >= period.start.isoformat()),
                    None,
                )  # fmt: skip
                steps.append((Action.RETURN, analyst, _at(submitted_on + timedelta(days=1), 10),
                              comment))  # fmt: skip
                steps.append((Action.SUBMIT, by, _at(submitted_on + timedelta(days=2), 15),
                              "已核实，按合同更正。"))  # fmt: skip
                steps.append(
                    (Action.ACCEPT, analyst, _at(submitted_on + timedelta(days=3), 11), "")
                )
            else:
                steps.append(
                    (Action.ACCEPT, analyst, _at(submitted_on + timedelta(days=1), 10), "")
                )
            accepted = [at for action, _by, at, _c in steps if action == Action.ACCEPT]
            report = Report.objects.create(
                period=period,
                district=district,
                state=state,
                first_submitted_at=steps[0][2],
                submitted_at=[at for a, _b, at, _c in steps if a == Action.SUBMIT][-1],
                submitted_by=by,
                accepted_at=accepted[0] if accepted else None,
                accepted_by=analyst if accepted else None,
                comment=comment,
                snapshot=snapshot,
                baseline=baseline,
                baseline_code=baseline_code,
                created_at=steps[0][2],
                updated_at=steps[-1][2],
                created_by=by,
                version=len(steps),
            )
            counts["reports"] += 1
            for action, who, at, text in steps:
                event = ReportEvent.objects.create(
                    report=report, action=action, by=who, at=at, comment=text
                )
                counts["report_steps"] += 1
                if action == Action.RETURN and returned_project:
                    ProjectComment.objects.create(
                        event=event, project_id=returned_project, text="总投资请按正式协议填写。"
                    )
            if state == ReportState.ACCEPTED:
                previous[district.pk] = (snapshot, period.code)
    return counts

"""The demo city's report cycle: January to June accepted everywhere; July as on 2025-08-10 —
京口区 returned once then accepted, 润州区 late and awaiting review, 扬中市 not submitted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from yinli.core.models import OrgKind, OrgUnit, User
from yinli.projects.models import Project
from yinli.projects.services import project_update
from yinli.reporting import locks, selectors
from yinli.reporting.models import Report, ReportState

# The mark makes pytest-django set up the test database before the module fixture writes to it.
pytestmark = pytest.mark.django_db

build = pytest.importorskip("yinli.demo.build")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        assert "test" in str(connection.settings_dict["NAME"]) or "memory" in str(
            connection.settings_dict["NAME"]
        )
        build.build_demo()
        admin = User.objects.get(username="admin")
        july = {
            s.district.code: s
            for s in selectors.period_states(
                period=Report.objects.filter(period__code="2025-07").first().period,
                user=admin,
                today=date(2025, 8, 10),
            )
        }
        found = {
            "districts": OrgUnit.objects.filter(kind=OrgKind.DISTRICT).count(),
            "accepted_to_june": Report.objects.filter(
                period__code__lte="2025-06", state=ReportState.ACCEPTED
            ).count(),
            "july": july,
            "jingkou_log": list(
                Report.objects.get(period__code="2025-07", district__code="jingkou")
                .events.order_by("at")
                .values_list("action", flat=True)
            ),
            "jingkou_changes": sum(
                1
                for row in selectors.report_rows(
                    Report.objects.get(period__code="2025-07", district__code="jingkou")
                )
                if row.change
            ),
            "overdue": [
                (i.district.code, i.period.code, i.days_overdue)
                for i in selectors.overdue(user=admin, today=date(2025, 8, 10))
            ],
            "late": [
                (s.district.code, s.period, s.days_late)
                for s in selectors.submissions(start=date(2025, 1, 1), end=date(2025, 7, 31))
                if s.days_late
            ],
        }
        project = Project.objects.filter(
            district__code="jingkou", first_signed_on__month=3, first_signed_on__year=2025
        ).first()
        try:
            project_update(
                project=project,
                data={"total_investment": (project.total_investment or 0) + Decimal(1)},
                version=project.version,
                by=admin,
            )
            found["refused"] = False
        except locks.PeriodLockedError as error:
            found["refused"] = "京口区2025年3月" in error.messages[0]
        transaction.set_rollback(True)
    cache.clear()
    return found


def test_every_district_reported_january_to_june(demo):
    assert demo["accepted_to_june"] == demo["districts"] * 6


def test_july_is_a_real_month(demo):
    july = demo["july"]
    assert july["jingkou"].state == ReportState.ACCEPTED
    assert demo["jingkou_log"] == ["submit", "return", "submit", "accept"]
    assert july["runzhou"].state == ReportState.SUBMITTED and july["runzhou"].days_overdue == 2
    assert july["yangzhong"].report is None and july["yangzhong"].days_overdue == 5
    assert demo["overdue"] == [("yangzhong", "2025-07", 5)]
    assert demo["jingkou_changes"] > 0


def test_late_reports_for_the_ranking(demo):
    assert sorted(demo["late"]) == [
        ("danyang", "2025-03", 2),
        ("runzhou", "2025-07", 2),
        ("yangzhong", "2025-07", 5),
    ]


def test_the_demo_months_are_locked(demo):
    assert demo["refused"] is True

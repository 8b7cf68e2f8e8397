"""The demo city gives the follow-through pages something to show (built once, rolled back)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Sum

from yinli.core.models import User
from yinli.demo.build import build_demo
from yinli.followup.alerts import open_alerts
from yinli.followup.models import PermitItem, PermitStatus
from yinli.followup.selectors import foreign_capital_by_month
from yinli.projects.models import FundsInPlace, Stage

pytestmark = pytest.mark.django_db

REF = date(2025, 8, 10)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo()
        admin = User.objects.get(username="admin")
        jingkou = User.objects.get(username="jingkou")
        alerts = open_alerts(user=admin, as_of=REF)
        result = {
            "alerts": alerts,
            "jingkou_alerts": open_alerts(user=jingkou, as_of=REF),
            "foreign": foreign_capital_by_month(
                user=admin, start=date(2025, 1, 1), end=date(2025, 7, 31)
            ),
            "permits": dict(
                PermitItem.objects.values_list("status").annotate(n=Count("pk")).order_by()
            ),
            "started_without_permit": PermitItem.objects.filter(
                name="施工许可",
                project__stage__in=[Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING],
            )
            .exclude(status__in=[PermitStatus.DONE, PermitStatus.NOT_APPLICABLE])
            .count(),
            "foreign_rows": FundsInPlace.objects.filter(foreign_amount__isnull=False).aggregate(
                n=Count("pk"), usd=Sum("foreign_amount")
            ),
            "foreign_history": FundsInPlace.history.filter(
                history_type="+", foreign_amount__isnull=False
            ).count(),
        }
        transaction.set_rollback(True)
    cache.clear()
    return result


def test_every_default_rule_finds_late_projects(demo):
    rules = {alert.rule.name for alert in demo["alerts"]}
    assert {"签约未注册", "注册未开工", "开工满一年到位资金不足30%"} <= rules


def test_funds_alerts_are_below_30_percent(demo):
    funds = [a for a in demo["alerts"] if a.rule.kind == "funds_below"]
    assert funds and all(a.funds_pct < 30 for a in funds)


def test_the_jingkou_editor_sees_only_jingkou_alerts(demo):
    assert demo["jingkou_alerts"]
    assert {a.district_name for a in demo["jingkou_alerts"]} == {"京口区"}
    assert len(demo["jingkou_alerts"]) < len(demo["alerts"])


def test_foreign_capital_arrives_in_several_months(demo):
    months = [m for m in demo["foreign"].months if m["amount_wan_usd"] > 0]
    assert len(months) >= 3
    assert demo["foreign_rows"]["n"] == demo["foreign_history"] > 0


def test_permit_checklists_have_every_status_and_started_projects_hold_their_permit(demo):
    assert set(demo["permits"]) == {s.value for s in PermitStatus}
    assert demo["started_without_permit"] == 0

"""Alert rules at their edges: exactly N months, one day short, month ends and leap years."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.followup.conftest import followed
from yinli.followup.alerts import open_alerts, opening_cutoff
from yinli.followup.models import AlertKind, AlertRule
from yinli.projects.claims import add_months
from yinli.projects.models import FundsInPlace, Stage, StageChange, Status

pytestmark = pytest.mark.django_db


def alerted(user, rule, day, project=None) -> set[int]:
    return {a.project_id for a in open_alerts(user=user, as_of=day, rule=rule, project=project)}


# --- the date arithmetic -------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    reached=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    as_of=st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)),
    months=st.integers(min_value=1, max_value=36),
)
def test_the_cutoff_opens_an_alert_exactly_when_n_months_have_passed(reached, as_of, months):
    assert (reached <= opening_cutoff(as_of, months)) == (add_months(reached, months) <= as_of)


# --- 签约未注册 6个月 --------------------------------------------------------------------------


def test_signed_not_registered_opens_exactly_six_months_after_the_signing(city, rules):
    rule = rules["签约未注册"]
    project = followed(city, signed_on=date(2025, 1, 15))
    assert project.pk not in alerted(city.admin, rule, date(2025, 7, 14))
    [alert] = open_alerts(user=city.admin, as_of=date(2025, 7, 15), rule=rule, project=project)
    assert (alert.since, alert.days, alert.reached_on) == (date(2025, 7, 15), 0, date(2025, 1, 15))
    [later] = open_alerts(user=city.admin, as_of=date(2025, 8, 10), rule=rule, project=project)
    assert later.days == 26


def test_a_signing_on_the_31st_opens_on_the_last_day_of_a_shorter_month(city, rules):
    rule = rules["签约未注册"]
    project = followed(city, signed_on=date(2024, 8, 31))
    assert project.pk not in alerted(city.admin, rule, date(2025, 2, 27))
    [alert] = open_alerts(user=city.admin, as_of=date(2025, 2, 28), rule=rule, project=project)
    assert alert.since == date(2025, 2, 28)


def test_a_leap_day_signing_opens_on_the_28th_a_year_on(city):
    rule = AlertRule.objects.create(
        name="签约满一年未注册",
        kind=AlertKind.STAGE_GAP,
        from_stage=Stage.SIGNED,
        to_stage=Stage.REGISTERED,
        months=12,
    )
    project = followed(city, signed_on=date(2024, 2, 29))
    assert project.pk not in alerted(city.admin, rule, date(2025, 2, 27))
    [alert] = open_alerts(user=city.admin, as_of=date(2025, 2, 28), rule=rule, project=project)
    assert alert.since == date(2025, 2, 28)


def test_six_months_from_the_end_of_august_into_a_leap_february(city, rules):
    rule = rules["签约未注册"]
    project = followed(city, signed_on=date(2023, 8, 31))
    assert project.pk not in alerted(city.admin, rule, date(2024, 2, 28))
    [alert] = open_alerts(user=city.admin, as_of=date(2024, 2, 29), rule=rule, project=project)
    assert alert.since == date(2024, 2, 29)


def test_registering_closes_the_alert_from_that_day_on(city, rules):
    rule = rules["签约未注册"]
    project = followed(
        city, signed_on=date(2025, 1, 15), steps=[(Stage.REGISTERED, date(2025, 9, 1))]
    )
    assert project.pk in alerted(city.admin, rule, date(2025, 8, 31))
    assert project.pk not in alerted(city.admin, rule, date(2025, 9, 1))


def test_a_later_stage_counts_as_registered(city, rules):
    project = followed(city, signed_on=date(2025, 1, 15), steps=[(Stage.STARTED, date(2025, 3, 1))])
    assert project.pk not in alerted(city.admin, rules["签约未注册"], date(2025, 8, 1))


def test_lost_and_terminated_projects_raise_no_alert(city, rules):
    lost = followed(city, signed_on=date(2024, 1, 15), status=Status.LOST)
    ended = followed(city, signed_on=date(2024, 1, 15), status=Status.TERMINATED)
    paused = followed(city, signed_on=date(2024, 1, 15), status=Status.PAUSED)
    found = alerted(city.admin, rules["签约未注册"], date(2025, 1, 1))
    assert lost.pk not in found and ended.pk not in found and paused.pk in found


def test_a_project_signed_after_the_as_of_day_is_not_late(city, rules):
    project = followed(city, signed_on=date(2025, 6, 1))
    assert project.pk not in alerted(city.admin, rules["签约未注册"], date(2025, 3, 1))


def test_an_inactive_rule_raises_nothing(city, rules):
    rule = rules["签约未注册"]
    followed(city, signed_on=date(2024, 1, 15))
    rule.active = False
    rule.save()
    assert not [a for a in open_alerts(user=city.admin, as_of=date(2025, 1, 1)) if a.rule == rule]


# --- 注册未开工: counted from the stage log ----------------------------------------------------


def test_registered_not_started_counts_from_the_registration(city, rules):
    rule = rules["注册未开工"]
    project = followed(
        city, signed_on=date(2024, 10, 1), steps=[(Stage.REGISTERED, date(2025, 1, 20))]
    )
    assert project.pk not in alerted(city.admin, rule, date(2025, 7, 19))
    [alert] = open_alerts(user=city.admin, as_of=date(2025, 7, 20), rule=rule, project=project)
    assert alert.reached_on == date(2025, 1, 20)


def test_a_registration_after_the_as_of_day_does_not_count_yet(city, rules):
    project = followed(
        city, signed_on=date(2024, 1, 10), steps=[(Stage.REGISTERED, date(2025, 3, 1))]
    )
    # On 2024-12-31 it was signed 11 months before and not registered: the first rule's alert.
    assert project.pk in alerted(city.admin, rules["签约未注册"], date(2024, 12, 31))
    assert project.pk not in alerted(city.admin, rules["注册未开工"], date(2024, 12, 31))


def test_a_current_stage_without_a_log_entry_still_counts_as_reached(city, rules):
    project = followed(city, signed_on=date(2024, 1, 10))
    project.stage, project.stage_on = Stage.REGISTERED, date(2024, 3, 1)
    project.save()
    assert project.pk not in alerted(city.admin, rules["签约未注册"], date(2025, 1, 1))
    assert project.pk in alerted(city.admin, rules["注册未开工"], date(2025, 1, 1))


# --- 开工满一年到位资金低于30% -----------------------------------------------------------------


@pytest.fixture
def started(city):
    return followed(
        city,
        signed_on=date(2024, 1, 10),
        steps=[(Stage.REGISTERED, date(2024, 2, 1)), (Stage.STARTED, date(2024, 2, 29))],
        total_wan="10000",
    )


def test_funds_below_30_percent_opens_a_year_after_the_start(city, rules, started):
    rule = rules["开工满一年到位资金不足30%"]
    FundsInPlace.objects.create(project=started, on=date(2024, 6, 1), amount=Decimal(2999))
    assert started.pk not in alerted(city.admin, rule, date(2025, 2, 27))
    [alert] = open_alerts(user=city.admin, as_of=date(2025, 2, 28), rule=rule, project=started)
    assert alert.since == date(2025, 2, 28)
    assert alert.funds_wan == 2999
    assert alert.funds_pct == Decimal("29.99")


def test_exactly_30_percent_is_not_below(city, rules, started):
    rule = rules["开工满一年到位资金不足30%"]
    FundsInPlace.objects.create(project=started, on=date(2024, 6, 1), amount=Decimal(2999))
    FundsInPlace.objects.create(project=started, on=date(2025, 3, 1), amount=Decimal(1))
    assert started.pk in alerted(city.admin, rule, date(2025, 2, 28))
    assert started.pk not in alerted(city.admin, rule, date(2025, 3, 1))


def test_funds_recorded_after_the_as_of_day_do_not_count(city, rules, started):
    rule = rules["开工满一年到位资金不足30%"]
    FundsInPlace.objects.create(project=started, on=date(2025, 6, 1), amount=Decimal(5000))
    assert started.pk in alerted(city.admin, rule, date(2025, 5, 31))
    assert started.pk not in alerted(city.admin, rule, date(2025, 6, 1))


def test_a_project_without_a_total_raises_no_funds_alert(city, rules):
    project = followed(
        city,
        signed_on=date(2024, 1, 10),
        steps=[(Stage.STARTED, date(2024, 2, 1))],
        total_wan=None,
    )
    assert project.pk not in alerted(
        city.admin, rules["开工满一年到位资金不足30%"], date(2025, 6, 1)
    )


def test_alerts_list_the_longest_open_first(city, rules):
    older = followed(city, signed_on=date(2024, 1, 10))
    newer = followed(city, signed_on=date(2024, 9, 10))
    alerts = open_alerts(user=city.admin, as_of=date(2025, 6, 1), rule=rules["签约未注册"])
    assert [a.project_id for a in alerts][:2] == [older.pk, newer.pk]
    assert alerts[0].days == (date(2025, 6, 1) - date(2024, 7, 10)).days


def test_the_stage_log_rules_one_query_per_rule(city, rules, django_assert_max_num_queries):
    for n in range(5):
        followed(city, signed_on=date(2024, 1, 10) + timedelta(days=n))
    StageChange.objects.create(
        project=followed(city, signed_on=date(2024, 1, 1)), stage="registered", on=date(2024, 2, 1)
    )
    with django_assert_max_num_queries(1 + len(rules)):
        alerts = open_alerts(user=city.admin, as_of=date(2025, 6, 1))
    assert len([a for a in alerts if a.rule.name == "签约未注册"]) == 5

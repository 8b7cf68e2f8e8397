"""The demo city's field work: the development zone's record of the report, the Shanghai signing,
and that the projects' figures did not move (tests/stats/test_demo_figures.py checks those)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from yinli.core.models import OrgUnit, User
from yinli.fieldwork.distance import trip_estimate
from yinli.fieldwork.models import ChannelAttribution, Event, Trip, Visit
from yinli.fieldwork.selectors import event_totals, summary

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from yinli.demo.build import build_demo

    with django_db_blocker.unblock(), transaction.atomic():
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"not a test database: {name}"
        build_demo()
        admin = User.objects.get(username="admin")
        zone = OrgUnit.objects.get(code="jingkai")
        shanghai = Event.objects.get(name="2025镇江（上海）产业项目集中签约活动")
        totals = event_totals(user=admin, event=shanghai)
        totals.pop("projects")
        window = Trip.objects.filter(
            unit__district=zone, start_on__gte=date(2025, 5, 20), start_on__lte=date(2025, 7, 8)
        )
        figures = {
            "window": summary(user=admin, unit=zone, start=date(2025, 5, 20), end=date(2025, 7, 8)),
            "shanghai": totals,
            "flagged": sum(trip_estimate(t).flagged for t in window),
            "visits": Visit.objects.count(),
            "first_visit": Visit.objects.order_by("visited_on")
            .values_list("visited_on", flat=True)
            .first(),
            "last_visit": Visit.objects.order_by("visited_on")
            .values_list("visited_on", flat=True)
            .last(),
            "trips": Trip.objects.count(),
            "attributions": ChannelAttribution.objects.count(),
            "programmes": sorted(
                set(Event.objects.exclude(programme=None).values_list("programme__name", flat=True))
            ),
            "jingkou_visits": Visit.objects.filter(unit__district__code="jingkou").count(),
        }
        transaction.set_rollback(True)
    cache.clear()
    return figures


def test_the_zone_s_50_days_are_the_report_s(demo):
    window = demo["window"]
    assert window.period_days == 50
    assert (window.days, window.cities, window.regions) == (50, 9, 26)
    assert window.visits >= 100
    assert 30650 <= window.km < 30750
    assert window.text == "50天内奔赴9个重点城市、26个重点区域，开展108次拜访，累计行程约30700公里"


def test_one_reported_distance_in_the_window_is_flagged(demo):
    assert demo["flagged"] == 1


def test_the_shanghai_signing_holds_20_projects_worth_165_2_yi(demo):
    totals = demo["shanghai"]
    assert totals["text"] == "20个项目集中签约，总投资165.2亿元"
    assert 0 < totals["counted"] <= 20


def test_field_work_spans_2023_to_the_reference_date(demo):
    assert demo["first_visit"] >= date(2023, 1, 1)
    assert demo["first_visit"] < date(2023, 2, 1)
    assert demo["last_visit"] <= date(2025, 8, 10)
    assert demo["visits"] > 500 and demo["trips"] > 40 and demo["jingkou_visits"] > 20


def test_projects_carry_their_channel_details_and_events_their_programme(demo):
    assert demo["attributions"] > 100
    assert demo["programmes"] == ["“4232”招商活动"]

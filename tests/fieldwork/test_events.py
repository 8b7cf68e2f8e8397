"""An event's page totals its signings, counts 亿元以上 by the current definition, and follows
the projects through their later stages."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from yinli.core.models import Region
from yinli.fieldwork.models import Event, EventKind, PlaceKind, Programme
from yinli.fieldwork.selectors import event_totals
from yinli.projects.models import Category, Stage, StageChange
from yinli.stats.definitions import current_definition


@pytest.fixture
def event(city):
    return Event.objects.create(
        name="2025镇江（上海）产业项目集中签约活动",
        kind=EventKind.SIGNING,
        held_on=date(2025, 3, 27),
        place=Region.objects.get(code="310100"),
        organiser=city.city,
        programme=Programme.objects.create(name="“4232”招商活动"),
    )


def signed_at(city, event, wan, **extra):
    return factories.project(city, total_wan=wan, signed_on=event.held_on, event=event, **extra)


def test_it_totals_the_signings(city, event):
    signed_at(city, event, "120000")
    signed_at(city, event, "45000")
    signed_at(city, event, "200")
    totals = event_totals(user=city.admin, event=event)
    assert totals["count"] == 3
    assert totals["total_wan"] == 165200
    assert totals["text"] == "3个项目集中签约，总投资16.5亿元"


def test_an_event_without_signings_says_so(city, event):
    totals = event_totals(user=city.admin, event=event)
    assert (totals["count"], totals["counted"]) == (0, 0)
    assert totals["text"] == "本次活动暂无签约项目"


def test_it_counts_only_those_above_the_threshold_under_the_definition(city, event):
    signed_at(city, event, "120000")
    signed_at(city, event, "9999")  # below 1亿元
    signed_at(city, event, "50000", category=Category.OTHER)  # 其他 does not count
    totals = event_totals(user=city.admin, event=event)
    assert (totals["count"], totals["counted"]) == (3, 1)
    assert totals["threshold_words"] == "亿元以上"
    assert totals["definition_version"] == current_definition().version


def test_it_counts_how_many_reached_each_later_stage(city, event):
    started = signed_at(city, event, "120000", stage=Stage.STARTED)
    StageChange.objects.create(project=started, stage=Stage.REGISTERED, on=date(2025, 4, 1))
    signed_at(city, event, "30000", stage=Stage.REGISTERED)
    signed_at(city, event, "30000")
    stages = {
        row["stage"]: row["count"] for row in event_totals(user=city.admin, event=event)["stages"]
    }
    assert stages[Stage.REGISTERED] == 2
    assert stages[Stage.STARTED] == 1
    assert stages[Stage.PRODUCING] == 0


def test_deleted_and_merged_projects_are_left_out(city, event):
    kept = signed_at(city, event, "120000")
    signed_at(city, event, "50000", merged_into=kept)
    gone = signed_at(city, event, "50000")
    gone.deleted_at = gone.created_at
    gone.save()
    assert event_totals(user=city.admin, event=event)["count"] == 1


def test_a_district_sees_the_total_of_what_it_may_see(city, event):
    signed_at(city, event, "120000", district=city.jingkai)
    signed_at(city, event, "50000", district=city.jingkou)
    assert event_totals(user=city.jingkou_editor, event=event)["count"] == 1
    assert event_totals(user=city.admin, event=event)["count"] == 2


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("321102", PlaceKind.HOME),
        ("321100", PlaceKind.HOME),
        ("310100", PlaceKind.OTHER_CITY),
        ("KR-SEOUL", PlaceKind.ABROAD),
        ("810000", PlaceKind.ABROAD),
    ],
)
def test_the_place_is_home_another_city_or_abroad(db, code, kind):
    event = Event(name="x", kind=EventKind.FORUM, held_on=date(2025, 1, 1))
    event.place = Region.objects.get(code=code)
    assert event.place_kind == kind


def test_the_event_page_shows_the_sentence(city, event, as_user):
    signed_at(city, event, "120000")
    signed_at(city, event, "45200")
    page = as_user(city.analyst).get(f"/fieldwork/events/{event.pk}/").content.decode()
    assert "2个项目集中签约，总投资16.5亿元" in page

"""Visits: what a visit needs, the lead it creates in one step, overdue next steps, stops."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from yinli.companies.models import Company
from yinli.fieldwork import selectors, services
from yinli.fieldwork.models import Outcome
from yinli.projects.models import Stage

from .helpers import region, trip, visit


def test_a_visit_needs_a_company(city):
    with pytest.raises(ValidationError) as error:
        visit(city, city.team, company_name="  ")
    assert "company_name" in error.value.message_dict


def test_a_visit_cannot_be_in_the_future(city):
    with pytest.raises(ValidationError) as error:
        visit(city, city.team, on=timezone.localdate() + timedelta(days=1))
    assert "visited_on" in error.value.message_dict


def test_a_next_step_date_needs_the_step(city):
    with pytest.raises(ValidationError) as error:
        visit(city, city.team, next_step_on=date(2025, 7, 1))
    assert "next_step" in error.value.message_dict


def test_a_registry_company_replaces_the_typed_name(city):
    company = factories.company("深圳测试光电科技有限公司", region="440305")
    saved = visit(city, city.team, company=company, company_name="随手写的名字")
    assert (saved.company, saved.company_name, saved.visited_name) == (company, "", company.name)


def test_a_visit_creates_a_lead_in_one_step(city):
    saved = visit(
        city,
        city.team,
        company_name="深圳新走访生物科技有限公司",
        place=region("440305"),
        purpose="了解扩产计划",
        by=city.team_member,
    )
    saved.people.set([city.team_member])
    project = services.visit_create_lead(visit=saved, by=city.team_member, version=saved.version)
    saved.refresh_from_db()
    company = Company.objects.get(name="深圳新走访生物科技有限公司")
    assert (project.stage, project.district, project.responsible_unit) == (
        Stage.LEAD,
        city.jingkai,
        city.team,
    )
    assert project.company == company and company.region.code == "440305"
    assert project.first_contact == city.team_member.username
    assert (saved.project, saved.company, saved.outcome) == (project, company, Outcome.NEW_LEAD)
    with pytest.raises(ValidationError):
        services.visit_create_lead(visit=saved, by=city.team_member, version=saved.version)


def test_overdue_next_steps_are_flagged_until_done(city):
    late = visit(city, city.team, next_step="报送资料", next_step_on=date(2025, 6, 10))
    visit(
        city, city.team, next_step="再次拜访", next_step_on=timezone.localdate() + timedelta(days=5)
    )
    visit(city, city.team)
    today = date(2025, 7, 1)
    assert [v.pk for v in selectors.overdue_visits(user=city.team_member, today=today)] == [late.pk]
    services.visit_set_next_step_done(visit=late, by=city.team_member, version=late.version)
    assert not selectors.overdue_visits(user=city.team_member, today=today).exists()


def test_a_visit_list_of_a_person(city):
    mine = visit(city, city.team)
    mine.people.set([city.team_member])
    visit(city, city.team)
    found = selectors.visit_list(user=city.admin, person=city.team_member)
    assert [v.pk for v in found] == [mine.pk]


def test_a_visit_on_a_trip_must_fall_within_its_dates(city):
    journey = trip(city, city.team, date(2025, 6, 2), date(2025, 6, 4), ["440305"])
    stop = journey.stops.get()
    assert visit(city, city.team, on=date(2025, 6, 3), stop=stop).stop == stop
    with pytest.raises(ValidationError) as error:
        visit(city, city.team, on=date(2025, 6, 9), stop=stop)
    assert "stop" in error.value.message_dict


def test_stops_typed_one_a_line_name_the_bad_line(db):
    stops = services.parse_stop_lines("深圳南山区 2025-06-03 1250\n\n韩国首尔 2025-06-05")
    assert [s["place"].code for s in stops] == ["440305", "KR-SEOUL"]
    assert stops[0]["arrive_on"] == date(2025, 6, 3)
    assert stops[0]["leg_km"] == 1250
    with pytest.raises(ValidationError) as error:
        services.parse_stop_lines("深圳南山区\n不存在的地方甲乙丙")
    messages = error.value.message_dict["stops"]
    assert len(messages) == 1 and "2" in messages[0]


def test_a_trip_must_end_after_it_starts(city):
    with pytest.raises(ValidationError) as error:
        trip(city, city.team, date(2025, 6, 5), date(2025, 6, 2), ["440305"])
    assert "end_on" in error.value.message_dict

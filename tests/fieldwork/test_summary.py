"""The summary of a unit and period: days away, cities, regions, visits, km."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from yinli.fieldwork.selectors import summary

from .helpers import trip, visit

JUNE = (date(2025, 6, 1), date(2025, 6, 30))


def test_a_city_visited_twice_counts_once(city):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["440305", "440306"])
    trip(city, city.team, date(2025, 6, 10), date(2025, 6, 11), ["440305"])
    result = summary(user=city.admin, unit=city.team, start=JUNE[0], end=JUNE[1])
    assert result.cities == 1
    assert result.regions == 2  # 南山区, 宝安区


def test_a_foreign_city_counts_as_a_city(city):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 6), ["DE-MUNICH", "AT-VIENNA", "310115"])
    result = summary(user=city.admin, unit=city.team, start=JUNE[0], end=JUNE[1])
    assert result.cities == 3
    assert result.regions == 3


def test_a_municipality_named_alone_is_the_same_city_as_its_districts(city):
    # 上海 read from text is the province-level unit; 浦东新区 lies in the city-level one.
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["310000", "310115"])
    result = summary(user=city.admin, unit=city.team, start=JUNE[0], end=JUNE[1])
    assert result.cities == 1


def test_a_country_alone_counts_no_city(city):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["KR"])
    result = summary(user=city.admin, unit=city.team, start=JUNE[0], end=JUNE[1])
    assert (result.cities, result.regions) == (0, 0)


def test_a_district_counts_its_sub_units(city):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["440305"], km="3000")
    trip(city, city.bureau, date(2025, 6, 5), date(2025, 6, 6), ["110108"], km="2400")
    trip(city, city.jingkou, date(2025, 6, 5), date(2025, 6, 6), ["510107"], km="4000")
    visit(city, city.team)
    visit(city, city.bureau)
    visit(city, city.jingkou)
    district = summary(user=city.admin, unit=city.jingkai, start=JUNE[0], end=JUNE[1])
    team = summary(user=city.admin, unit=city.team, start=JUNE[0], end=JUNE[1])
    assert (district.cities, district.visits, district.km) == (2, 2, Decimal("5400"))
    assert (team.cities, team.visits, team.km) == (1, 1, Decimal("3000"))


def test_days_away_count_each_day_once_and_stop_at_the_period(city):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 5), ["440305"])
    trip(city, city.bureau, date(2025, 6, 4), date(2025, 6, 7), ["110108"])  # overlaps 2 days
    trip(city, city.team, date(2025, 6, 29), date(2025, 7, 3), ["310115"])  # runs past the end
    result = summary(user=city.admin, unit=city.jingkai, start=JUNE[0], end=JUNE[1])
    assert result.days == 6 + 2
    assert result.trips == 3


def test_trips_starting_outside_the_period_are_left_out(city):
    trip(city, city.team, date(2025, 5, 30), date(2025, 6, 2), ["440305"], km="3000")
    result = summary(user=city.admin, unit=city.team, start=JUNE[0], end=JUNE[1])
    assert (result.trips, result.cities, result.km, result.days) == (0, 0, Decimal(0), 0)


def test_the_sentence_is_the_reports(city):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["440305", "440306"], km="3046")
    visit(city, city.team)
    result = summary(user=city.admin, unit=city.team, start=JUNE[0], end=JUNE[1])
    assert result.text == "2天内奔赴1个重点城市、2个重点区域，开展1次拜访，累计行程约3000公里"


def test_a_district_editor_does_not_count_what_she_cannot_see(city):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["440305"])
    result = summary(user=city.jingkou_editor, unit=city.jingkai, start=JUNE[0], end=JUNE[1])
    assert (result.trips, result.cities) == (0, 0)

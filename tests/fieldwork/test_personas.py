"""Who sees and changes which field work: a team its own, its district its teams', the city all."""

from __future__ import annotations

from datetime import date

import pytest

from yinli.core import scoping
from yinli.core.services import PermissionDeniedError
from yinli.fieldwork import services
from yinli.fieldwork.models import Outcome, Trip, Visit

from .helpers import trip, visit


@pytest.fixture
def visits(city):
    return {
        "team": visit(city, city.team),
        "bureau": visit(city, city.bureau),
        "jingkou": visit(city, city.jingkou),
    }


def seen(user) -> set[int]:
    return set(scoping.visible_visits(user).values_list("pk", flat=True))


def test_a_team_sees_its_own_visits(city, visits):
    assert seen(city.team_member) == {visits["team"].pk}


def test_its_district_sees_its_teams_visits(city, visits):
    assert seen(city.jingkai_editor) == {visits["team"].pk, visits["bureau"].pk}


def test_the_city_sees_all(city, visits):
    assert seen(city.admin) == seen(city.analyst) == {v.pk for v in visits.values()}


def test_an_outsider_sees_nothing_of_other_districts(city, visits):
    assert seen(city.outsider) == set()


def test_it_refuses_a_visit_for_another_district(city):
    with pytest.raises(PermissionDeniedError):
        visit(city, city.jingkou, by=city.jingkai_editor)


def test_a_team_member_may_not_log_for_its_bureau(city):
    with pytest.raises(PermissionDeniedError):
        visit(city, city.bureau, by=city.team_member)
    assert visit(city, city.team, by=city.team_member).unit == city.team


def test_an_analyst_reads_but_does_not_change(city, visits):
    assert not scoping.changeable_visits(city.analyst).exists()
    with pytest.raises(PermissionDeniedError):
        services.visit_update(
            visit=visits["team"], data={"purpose": "改"}, version=1, by=city.analyst
        )


def test_trips_follow_the_same_rule(city):
    own = trip(city, city.team, date(2025, 6, 2), date(2025, 6, 3), ["440305"])
    other = trip(city, city.jingkou, date(2025, 6, 2), date(2025, 6, 3), ["440305"])
    assert set(scoping.visible_trips(city.team_member).values_list("pk", flat=True)) == {own.pk}
    assert set(scoping.visible_trips(city.jingkou_editor).values_list("pk", flat=True)) == {
        other.pk
    }
    assert scoping.visible_trips(city.admin).count() == 2
    assert not scoping.changeable_trips(city.team_member, Trip.objects.filter(pk=other.pk)).exists()


@pytest.mark.parametrize(
    "path",
    ["/fieldwork/visits/{pk}/", "/fieldwork/visits/{pk}/edit/"],
)
def test_guessed_urls_of_another_district_are_404(city, visits, as_user, path):
    response = as_user(city.jingkou_editor).get(path.format(pk=visits["team"].pk))
    assert response.status_code == 404


def test_a_guessed_trip_url_is_404(city, as_user):
    other = trip(city, city.jingkai, date(2025, 6, 2), date(2025, 6, 3), ["440305"])
    assert as_user(city.jingkou_editor).get(f"/fieldwork/trips/{other.pk}/").status_code == 404
    assert as_user(city.jingkai_editor).get(f"/fieldwork/trips/{other.pk}/").status_code == 200


def test_the_list_page_shows_only_what_the_user_sees(city, visits, as_user):
    Visit.objects.filter(pk=visits["jingkou"].pk).update(company_name="京口专属走访企业")
    assert (
        "京口专属走访企业"
        not in as_user(city.team_member).get("/fieldwork/visits/").content.decode()
    )
    assert "京口专属走访企业" in as_user(city.admin).get("/fieldwork/visits/").content.decode()


def test_the_outcome_choices_are_the_three_of_the_issue():
    assert set(Outcome.values) == {"new_lead", "follow_up", "no_interest"}

"""The one selector: which projects count as signed above the threshold, and which are 入库列统."""

from datetime import date

import pytest
from django.utils import timezone

from tests import factories
from tests.stats.conftest import region, signed
from yinli.projects.models import Category, Kind, Stage, StageChange, Status
from yinli.stats.definitions import definition_new_version
from yinli.stats.selectors import counted_projects, foreign_funded_q, in_statistics_projects

H1 = (date(2025, 1, 1), date(2025, 6, 30))


def counted(definition, *, period=H1, **kwargs):
    start, end = period
    return set(counted_projects(definition=definition, start=start, end=end, **kwargs))


def test_exactly_one_hundred_million_counts(city, definition):
    project = signed(city, wan="10000")
    assert counted(definition) == {project}


def test_just_under_one_hundred_million_does_not(city, definition):
    signed(city, wan="9999.9999")
    assert counted(definition) == set()


def test_a_project_without_total_investment_does_not_count_on_it(city, definition):
    signed(city, wan=None)
    assert counted(definition) == set()


def test_ten_million_dollars_of_agreed_foreign_investment_counts(city, definition):
    project = signed(city, wan="3000", foreign_investment="1000", foreign_currency="USD")
    assert counted(definition) == {project}


def test_just_under_ten_million_dollars_does_not(city, definition):
    signed(city, wan="3000", foreign_investment="999.99", foreign_currency="USD")
    assert counted(definition) == set()


def test_the_foreign_threshold_compares_in_the_stored_currency(city, definition):
    # 1000万欧元 is worth more than 1000万美元, but the default definition compares dollars only.
    signed(city, wan="3000", foreign_investment="1000", foreign_currency="EUR")
    assert counted(definition) == set()


def test_a_version_that_converts_counts_other_currencies_at_the_month_rate(city, definition):
    converting = definition_new_version(
        based_on=definition, changes={"convert_foreign_threshold": True}, by=city.analyst
    )
    euros = signed(city, wan="3000", foreign_investment="1000", foreign_currency="EUR")
    signed(city, wan="3000", foreign_investment="1000", foreign_currency="HKD")
    dollars = signed(city, wan="3000", foreign_investment="1000", foreign_currency="USD")
    assert counted(converting) == {euros, dollars}


def test_only_the_counted_categories_count(city, definition):
    industrial = signed(city, category=Category.INDUSTRIAL)
    service = signed(city, category=Category.SERVICE)
    signed(city, category=Category.OTHER)
    assert counted(definition) == {industrial, service}


def test_a_project_counts_once_in_the_period_of_its_first_signing(city, definition):
    project = signed(city, on=date(2024, 11, 20))
    # Signed again (a supplementary agreement) in 2025: the stage log moves, first_signed_on not.
    StageChange.objects.create(project=project, stage=Stage.SIGNED, on=date(2025, 3, 1))
    project.stage_on = date(2025, 3, 1)
    project.save()
    assert counted(definition) == set()
    assert counted(definition, period=(date(2024, 7, 1), date(2024, 12, 31))) == {project}


def test_the_period_includes_its_first_and_last_day(city, definition):
    first = signed(city, on=date(2025, 1, 1))
    last = signed(city, on=date(2025, 6, 30))
    signed(city, on=date(2024, 12, 31))
    signed(city, on=date(2025, 7, 1))
    assert counted(definition) == {first, last}


def test_an_expansion_counts_on_its_own_added_investment(city, definition):
    big = signed(city, wan="12000", kind=Kind.EXPANSION)
    signed(city, wan="8000", kind=Kind.EXPANSION)
    assert counted(definition) == {big}


def test_a_version_may_leave_expansions_out(city, definition):
    signed(city, wan="12000", kind=Kind.EXPANSION)
    new = signed(city, wan="12000")
    version = definition_new_version(
        based_on=definition, changes={"count_expansion": False}, by=city.analyst
    )
    assert counted(version) == {new}


def test_a_merged_duplicate_counts_once(city, definition):
    kept = signed(city, district=city.jingkai)
    signed(city, district=city.jingkou, merged_into=kept)
    assert counted(definition) == {kept}


def test_a_deleted_project_does_not_count(city, definition):
    signed(city, deleted_at=timezone.now())
    assert counted(definition) == set()


def test_a_lost_project_stays_counted_where_it_was_signed(city, definition):
    project = signed(city, status=Status.LOST, lost_to=region("320500"))
    assert counted(definition) == {project}


def test_a_project_moved_between_districts_counts_under_its_current_district(city, definition):
    project = signed(city, district=city.jingkou)
    project.district = city.jingkai
    project.save()
    assert counted(definition, district=city.jingkai) == {project}
    assert counted(definition, district=city.jingkou) == set()


def test_a_new_version_with_a_lower_threshold_counts_more(city, definition):
    big = signed(city, wan="12000")
    middle = signed(city, wan="6000")
    signed(city, wan="4000")
    version = definition_new_version(
        based_on=definition, changes={"threshold_total_wan": 5000}, by=city.analyst
    )
    assert counted(definition) == {big}
    assert counted(version) == {big, middle}


def test_a_district_editor_counts_only_her_district(city, definition):
    mine = signed(city, district=city.jingkou)
    signed(city, district=city.jingkai)
    assert counted(definition, user=city.jingkou_editor) == {mine}


def test_an_outsider_counts_nothing_of_other_districts(city, definition):
    signed(city, district=city.jingkai)
    assert counted(definition, user=city.outsider) == set()


def test_the_city_analyst_counts_every_district(city, definition):
    projects = {signed(city, district=city.jingkou), signed(city, district=city.jingkai)}
    assert counted(definition, user=city.analyst) == projects


def test_in_statistics_takes_every_project_accepted_in_the_period(city):
    small = factories.project(
        city, total_wan="600", fai_on=date(2025, 2, 1), category=Category.OTHER
    )
    unsigned = factories.project(
        city, stage=Stage.NEGOTIATING, signed_on=None, total_wan="800", fai_on=date(2025, 6, 1)
    )
    factories.project(city, fai_on=date(2025, 7, 1))
    factories.project(city, fai_on=date(2025, 3, 1), deleted_at=timezone.now())
    kept = factories.project(city, fai_on=date(2025, 4, 1))
    factories.project(city, fai_on=date(2025, 4, 1), merged_into=kept)
    found = set(in_statistics_projects(start=H1[0], end=H1[1]))
    assert found == {small, unsigned, kept}


@pytest.mark.parametrize(
    ("ownership", "foreign_wan", "foreign"),
    [
        ("foreign", None, True),
        ("hmt", None, True),
        ("private", "50", True),
        ("private", None, False),
        ("central_soe", "0", False),
    ],
)
def test_foreign_funded_is_the_investor_or_agreed_foreign_investment(
    city, ownership, foreign_wan, foreign
):
    project = signed(city, ownership=ownership, foreign_investment=foreign_wan)
    assert project.__class__.objects.filter(foreign_funded_q(), pk=project.pk).exists() is foreign

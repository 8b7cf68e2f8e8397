"""Funds in place: a project's ratio by hand, agreement with stats' 资金到位率, 实际使用外资 by month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tests.followup.conftest import followed
from yinli.core.services import PermissionDeniedError
from yinli.followup import selectors, services
from yinli.projects.models import FundsInPlace, FundsSource, Project
from yinli.stats.definitions import get_definition
from yinli.stats.figures import Context, follow_through
from yinli.stats.periods import parse_period

pytestmark = pytest.mark.django_db


def arrive(project, on, wan, source=FundsSource.OWN, usd=None):
    return FundsInPlace.objects.create(
        project=project,
        on=on,
        amount=Decimal(wan),
        source=source,
        foreign_amount=Decimal(usd) if usd is not None else None,
    )


def test_a_projects_funds_against_its_total_by_hand(city):
    project = followed(city, signed_on=date(2025, 1, 10), total_wan="24000")
    arrive(project, date(2025, 2, 1), "3000")
    arrive(project, date(2025, 5, 1), "1500.5", FundsSource.FOREIGN, usd="200")
    funds = selectors.project_funds(project=project)
    assert funds.funds_wan == Decimal("4500.5")
    assert funds.pct == Decimal("4500.5") * 100 / Decimal(24000)  # 18.752…%
    assert funds.foreign_wan_usd == 200
    assert funds.bar_pct == 18


def test_a_project_without_a_total_has_no_ratio(city):
    project = followed(city, signed_on=date(2025, 1, 10), total_wan=None)
    arrive(project, date(2025, 2, 1), "3000")
    assert selectors.project_funds(project=project).pct is None


def test_the_projects_ratios_add_up_to_the_stats_figure(city):
    """Σ funds ÷ Σ totals of the projects stats counts is stats' 资金到位率, to the last digit."""
    a = followed(city, signed_on=date(2025, 2, 1), total_wan="20000")
    b = followed(city, signed_on=date(2025, 3, 1), total_wan="15000", district=city.jingkou)
    c = followed(city, signed_on=date(2025, 4, 1), total_wan="30000")
    small = followed(city, signed_on=date(2025, 4, 1), total_wan="500")  # below the threshold
    arrive(a, date(2025, 3, 1), "5000")
    arrive(a, date(2025, 6, 1), "1000")
    arrive(b, date(2025, 5, 1), "7000")
    arrive(small, date(2025, 5, 1), "400")
    period = parse_period("2025H1")
    ctx = Context(definition=get_definition(), period=period, user=city.admin)
    stats = follow_through(ctx)
    counted = ctx.counted()
    assert set(counted.values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}
    funds = [selectors.project_funds(project=p) for p in Project.objects.filter(pk__in=counted)]
    mine = sum(f.funds_wan for f in funds) * 100 / sum(f.total_wan for f in funds)
    assert mine == stats["funds_in_place_pct"]
    assert mine == Decimal(13000) * 100 / Decimal(65000)  # 20%


def test_funds_are_recorded_by_those_who_change_the_project(city):
    project = followed(city, signed_on=date(2025, 1, 10), district=city.jingkou)
    entry = services.funds_add(
        user=city.jingkou_editor, project=project, on=date(2025, 3, 1), amount=Decimal(800)
    )
    assert entry.history.first().history_user == city.jingkou_editor
    with pytest.raises(PermissionDeniedError):
        services.funds_add(
            user=city.jingkai_editor, project=project, on=date(2025, 3, 1), amount=Decimal(800)
        )
    with pytest.raises(PermissionDeniedError):
        services.funds_add(
            user=city.analyst, project=project, on=date(2025, 3, 1), amount=Decimal(800)
        )


def test_funds_before_the_signing_are_refused_naming_both_days(city):
    project = followed(city, signed_on=date(2025, 1, 10))
    with pytest.raises(ValidationError) as error:
        services.funds_add(
            user=city.admin, project=project, on=date(2024, 12, 31), amount=Decimal(1)
        )
    assert "2024-12-31" in str(error.value) and "2025-01-10" in str(error.value)


def test_taking_back_an_entry_keeps_it_in_the_history(city):
    project = followed(city, signed_on=date(2025, 1, 10))
    entry = services.funds_add(
        user=city.admin, project=project, on=date(2025, 3, 1), amount=Decimal(800)
    )
    pk = entry.pk
    services.funds_delete(user=city.admin, entry=entry)
    assert not FundsInPlace.objects.filter(project=project).exists()
    removal = FundsInPlace.history.get(id=pk, history_type="-")
    assert removal.history_user == city.admin


# --- 实际使用外资 by month of arrival -----------------------------------------------------------


@pytest.fixture
def foreign(city):
    korean = factories.company(region="KR", ownership="foreign")
    p = followed(city, signed_on=date(2024, 11, 1), company=korean)
    q = followed(city, signed_on=date(2025, 1, 5), company=korean, district=city.jingkou)
    arrive(p, date(2025, 1, 31), "7100", FundsSource.FOREIGN, usd="1000")
    arrive(p, date(2025, 1, 2), "710", FundsSource.FOREIGN, usd="100")
    arrive(q, date(2025, 1, 15), "3550", FundsSource.FOREIGN, usd="500")
    arrive(q, date(2025, 3, 1), "1420", FundsSource.FOREIGN, usd="200")
    arrive(p, date(2025, 3, 1), "5000", FundsSource.LOAN)  # a loan is not foreign capital
    arrive(p, date(2024, 12, 31), "710", FundsSource.FOREIGN, usd="100")  # before the period
    return p, q


def test_foreign_capital_is_counted_in_the_month_it_arrived(city, foreign):
    result = selectors.foreign_capital_by_month(
        user=city.admin, start=date(2025, 1, 1), end=date(2025, 4, 30)
    )
    months = {
        m["month"]: (m["amount_wan_usd"], m["arrivals"], m["projects"]) for m in result.months
    }
    assert months == {
        "2025-01": (1600, 3, 2),
        "2025-02": (0, 0, 0),
        "2025-03": (200, 1, 1),
        "2025-04": (0, 0, 0),
    }
    assert (result.total_wan_usd, result.projects) == (1800, 2)


def test_foreign_capital_of_a_district_and_of_a_districts_editor(city, foreign):
    by_district = selectors.foreign_capital_by_month(
        user=city.admin, start=date(2025, 1, 1), end=date(2025, 3, 31), district=city.jingkou
    )
    by_editor = selectors.foreign_capital_by_month(
        user=city.jingkou_editor, start=date(2025, 1, 1), end=date(2025, 3, 31)
    )
    assert by_district.total_wan_usd == by_editor.total_wan_usd == 700
    outsider = selectors.foreign_capital_by_month(
        user=city.outsider, start=date(2025, 1, 1), end=date(2025, 3, 31)
    )
    assert outsider.total_wan_usd == 0


def test_the_index_page_shows_foreign_capital_by_month(city, as_user, foreign):
    page = as_user(city.admin).get("/followup/", {"as_of": "2025-04-30"}).content.decode()
    assert 'data-month="2025-01"' in page
    assert "1600" in page and "1800" in page

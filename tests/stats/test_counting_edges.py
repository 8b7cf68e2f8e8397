"""Edges of the counting rules as the report (and its published copy) shows them.

The selector's own tests (test_selectors.py) check the sets; these check the report JSON: the
threshold edges in 万元, in 万美元 and in euros at the signing month's rate, counting once at the
first signing, 增资扩产, 本地 investors, a move between districts and a definition change.
"""

from datetime import date
from decimal import ROUND_CEILING, Decimal

import pytest

from tests import factories
from tests.stats.conftest import rate, signed
from yinli.projects.models import Kind, Stage, StageChange
from yinli.stats.definitions import definition_new_version
from yinli.stats.periods import parse_period
from yinli.stats.publish import headline_ids, publish_report, report_for
from yinli.stats.report import build_report


def report(city, period="2025H1", **kwargs):
    return build_report(user=city.analyst, period=period, **kwargs)


def names(rows):
    return {row["name"]: row["count"] for row in rows}


def test_exactly_one_hundred_million_counts_and_a_hair_less_does_not(city):
    signed(city, wan="10000")
    signed(city, wan="9999.99")
    signed_ = report(city)["signed"]
    assert (signed_["count"], signed_["investment_yi"]) == (1, 1.0)


def test_exactly_ten_million_dollars_counts_and_999_99_does_not(city):
    signed(city, wan="3000", foreign_investment="1000", foreign_currency="USD", ownership="foreign")
    signed(
        city, wan="3000", foreign_investment="999.99", foreign_currency="USD", ownership="foreign"
    )
    figures = report(city)
    assert figures["signed"]["count"] == 1
    assert figures["foreign"]["count"] == 1
    assert figures["by_size_band"][0]["name"].startswith("1亿元以下")


def euros_worth(dollars_wan: str, month: date) -> Decimal:
    """The smallest amount in 万欧元 (4 places) worth `dollars_wan` 万美元 at `month`'s rates."""
    exact = Decimal(dollars_wan) * rate("USD", month) / rate("EUR", month)
    return exact.quantize(Decimal("0.0001"), rounding=ROUND_CEILING)


@pytest.fixture
def converting(city, definition):
    return definition_new_version(
        based_on=definition, changes={"convert_foreign_threshold": True}, by=city.analyst
    )


def test_euros_at_the_threshold_count_under_a_converting_version(city, converting):
    on = date(2025, 3, 20)
    edge = euros_worth("1000", on)
    at = signed(city, wan="3000", foreign_investment=str(edge), foreign_currency="EUR", on=on)
    signed(
        city,
        wan="3000",
        foreign_investment=str(edge - Decimal("0.01")),
        foreign_currency="EUR",
        on=on,
    )
    figures = report(city, definition=converting)
    assert figures["signed"]["count"] == 1
    ids = headline_ids(definition=converting, period=parse_period("2025H1"), district=None)
    assert ids["signed"] == [at.pk]
    # the default version compares dollars only: neither counts
    assert report(city, definition=1)["signed"]["count"] == 0


def test_the_same_euros_count_or_not_by_their_signing_month(city, converting):
    # 900万欧元: under 1000万美元 at January's rates, over at June's.
    assert euros_worth("1000", date(2025, 1, 1)) > 900 > euros_worth("1000", date(2025, 6, 1))
    signed(city, wan="3000", foreign_investment="900", foreign_currency="EUR", on=date(2025, 1, 15))
    june = signed(
        city, wan="3000", foreign_investment="900", foreign_currency="EUR", on=date(2025, 6, 15)
    )
    figures = report(city, definition=converting)
    assert figures["signed"]["count"] == 1
    assert figures["signed"]["investment_yi"] == float(june.total_investment / 10000)


def test_a_project_signed_again_counts_once_at_its_first_signing(city):
    project = signed(city, wan="20000", on=date(2024, 11, 5))
    StageChange.objects.create(project=project, stage=Stage.SIGNED, on=date(2025, 3, 1))
    assert report(city)["signed"]["count"] == 0
    assert report(city, period="2024")["signed"]["count"] == 1
    assert report(city, period="2025")["signed"]["previous"]["count"] == 1


def test_an_expansion_counts_on_its_own_investment_and_is_local(city):
    local = factories.company(region="321102")
    signed(city, wan="10000", kind=Kind.EXPANSION, company=local, source="321102")
    signed(city, wan="9999", kind=Kind.EXPANSION, company=local, source="321102")
    figures = report(city)
    assert figures["signed"]["count"] == 1
    assert names(figures["by_source_class"])["本地增资"] == 1
    assert figures["by_source_city"] == [] and figures["by_source_province"] == []


def test_local_investors_stay_out_of_the_source_breakdowns(city):
    signed(city, wan="20000", source="321102")  # 京口区: home city
    signed(city, wan="20000", source="320100")  # 南京市: 市外, same province
    figures = report(city)
    assert figures["signed"]["count"] == 2
    assert names(figures["by_source_class"])["本地"] == 1
    assert names(figures["by_source_province"]) == {"江苏省": 1}
    assert names(figures["by_source_city"]) == {"南京市": 1}
    assert figures["by_source_province"][0]["count_share_pct"] == 50.0


def test_a_project_moved_between_districts_moves_its_row(city):
    project = signed(city, wan="20000", district=city.jingkou)
    signed(city, wan="30000", district=city.jingkai)
    assert names(report(city)["by_district"]) == {"京口区": 1, "镇江经开区": 1}
    project.district = city.jingkai
    project.save()
    figures = report(city)
    assert names(figures["by_district"]) == {"镇江经开区": 2}
    assert figures["signed"]["count"] == 2
    assert report(city, district="京口区")["signed"]["count"] == 0


def test_a_definition_change_makes_new_figures_and_keeps_the_old(city, definition):
    signed(city, wan="15000")
    signed(city, wan="25000")
    stricter = definition_new_version(
        based_on=definition, changes={"threshold_total_wan": Decimal("20000")}, by=city.analyst
    )
    now, before = report(city), report(city, definition=definition.version)
    assert (now["definition"]["version"], now["signed"]["count"]) == (stricter.version, 1)
    assert (before["definition"]["version"], before["signed"]["count"]) == (definition.version, 2)


def test_a_published_report_stays_under_its_version_after_a_definition_change(city, definition):
    signed(city, wan="15000")
    publish_report(user=city.analyst, period="2025H1")
    definition_new_version(
        based_on=definition, changes={"threshold_total_wan": Decimal("20000")}, by=city.analyst
    )
    frozen = report_for(user=city.analyst, period="2025H1", published=True)
    assert frozen["signed"]["count"] == 1
    assert frozen["definition"]["version"] == definition.version
    assert report(city)["signed"]["count"] == 0

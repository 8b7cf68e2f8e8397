from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from yinli.stats.definitions import (
    DEFAULT_WORDING,
    current_definition,
    definition_new_version,
    get_definition,
    threshold_words,
    wording_of,
)
from yinli.stats.models import ConversionRate, Definition

CURRENCIES = {"USD", "EUR", "JPY", "HKD", "GBP", "KRW", "SGD"}


def test_version_1_is_seeded_with_the_defaults_of_the_design(db):
    definition = current_definition()
    assert definition.version == 1
    assert definition.threshold_total_wan == Decimal(10000)
    assert definition.threshold_foreign == Decimal(1000)
    assert definition.threshold_foreign_currency == "USD"
    assert definition.convert_foreign_threshold is False
    assert definition.categories == ["industrial", "service"]
    assert definition.count_at == "first_signed_on"
    assert definition.expansion_as_local is True
    assert definition.foreign_share_basis == "total_investment_of_foreign_projects"
    assert definition.source_rule == "controller_else_signer"
    assert definition.size_bands_yi == [1, 10, 30]
    assert (definition.rounding, definition.decimal_places, definition.yoy_on_zero) == (
        "half_up",
        1,
        "null",
    )
    assert wording_of(definition)["over"] == "超过"


def test_version_1_wording_is_the_default_wording(db):
    assert wording_of(current_definition()) == DEFAULT_WORDING


def test_a_new_version_leaves_the_old_one_as_it_was(definition, city):
    new = definition_new_version(
        based_on=definition, changes={"threshold_total_wan": "5000"}, by=city.analyst, note="试行"
    )
    definition.refresh_from_db()
    assert (new.version, new.is_current, new.based_on, new.created_by) == (
        2,
        True,
        definition,
        city.analyst,
    )
    assert new.threshold_total_wan == Decimal(5000)
    assert definition.threshold_total_wan == Decimal(10000)
    assert definition.is_current is False
    assert current_definition() == new
    assert get_definition(1) == definition


def test_a_version_cannot_be_edited_in_place(definition):
    definition.threshold_total_wan = Decimal(5000)
    with pytest.raises(ValidationError) as error:
        definition.save()
    assert error.value.code == "immutable"
    assert "threshold_total_wan" in error.value.messages[0]


def test_a_version_may_still_be_annotated(definition):
    definition.note = "2025年起执行"
    definition.save()
    assert Definition.objects.get(version=1).note == "2025年起执行"


def test_wording_changes_merge_into_the_version_it_is_based_on(definition, city):
    new = definition_new_version(
        based_on=definition, changes={"wording": {"over": "逾"}}, by=city.analyst
    )
    assert wording_of(new)["over"] == "逾"
    assert wording_of(new)["about"] == "约"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"threshold_total_wan": 0}, "threshold_total_wan"),
        ({"threshold_total_wan": "一亿"}, "threshold_total_wan"),
        ({"threshold_foreign": -1}, "threshold_foreign"),
        ({"threshold_foreign_currency": "dollars"}, "threshold_foreign_currency"),
        ({"categories": ["industrial", "farming"]}, "categories"),
        ({"categories": []}, "categories"),
        ({"size_bands_yi": [10, 1]}, "size_bands_yi"),
        ({"count_at": "registered_on"}, "count_at"),
        ({"decimal_places": 9}, "decimal_places"),
    ],
)
def test_a_version_that_does_not_make_sense_is_refused(definition, city, changes, field):
    with pytest.raises(ValidationError) as error:
        definition_new_version(based_on=definition, changes=changes, by=city.analyst)
    assert field in error.value.message_dict
    assert Definition.objects.count() == 1


def test_an_unknown_parameter_is_refused(definition, city):
    with pytest.raises(ValidationError, match="threshold"):
        definition_new_version(based_on=definition, changes={"threshold": 1}, by=city.analyst)


def test_an_unknown_version_is_a_clear_error(db):
    with pytest.raises(ValidationError, match="7"):
        get_definition(7)


@pytest.mark.parametrize(
    ("wan", "words"),
    [("10000", "亿元以上"), ("50000", "5亿元以上"), ("5000", "5000万元以上")],
)
def test_the_threshold_is_said_in_words(definition, city, wan, words):
    version = definition
    if wan != "10000":
        version = definition_new_version(
            based_on=definition, changes={"threshold_total_wan": wan}, by=city.analyst
        )
    assert threshold_words(version) == words


def test_monthly_rates_are_seeded_from_2023_to_2026(db):
    rates = ConversionRate.objects.all()
    assert rates.count() == 48 * len(CURRENCIES)
    assert set(rates.values_list("currency", flat=True)) == CURRENCIES
    assert rates.filter(month=date(2023, 1, 1)).count() == len(CURRENCIES)
    assert rates.filter(month=date(2026, 12, 1)).count() == len(CURRENCIES)
    june = rates.get(currency="USD", month=date(2025, 6, 1))
    assert Decimal("7.1") < june.rate < Decimal("7.3")
    assert "ECB" in june.source
    assert rates.get(currency="KRW", month=date(2025, 6, 1)).rate < Decimal("0.01")


def test_the_months_past_the_data_say_they_are_provisional(db):
    assert (
        "provisional" in ConversionRate.objects.get(currency="USD", month=date(2026, 12, 1)).source
    )

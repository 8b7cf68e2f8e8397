"""The definition pages: every signed-in reader reads the versions; the city makes new ones."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from yinli.stats.definitions import current_definition, definition_new_version
from yinli.stats.models import Definition

CJK = re.compile(r"[\u4e00-\u9fff]")


def form_data(definition: Definition, **changes) -> dict:
    """What the new-version form posts when nothing is changed, with `changes` on top."""
    import json

    data = {
        "based_on": definition.version,
        "name": definition.name,
        "threshold_total_wan": str(definition.threshold_total_wan),
        "threshold_foreign": str(definition.threshold_foreign or ""),
        "threshold_foreign_currency": definition.threshold_foreign_currency,
        "categories": list(definition.categories),
        "count_at": definition.count_at,
        "foreign_share_basis": definition.foreign_share_basis,
        "source_rule": definition.source_rule,
        "size_bands_yi": ", ".join(str(b) for b in definition.size_bands_yi),
        "rounding": definition.rounding,
        "decimal_places": definition.decimal_places,
        "yoy_on_zero": definition.yoy_on_zero,
        "top_cities_years": definition.top_cities_years,
        "wording": json.dumps(definition.wording, ensure_ascii=False),
        "note": "",
        "make_current": "on",
    }
    for flag in ("convert_foreign_threshold", "count_expansion", "expansion_as_local"):
        if getattr(definition, flag):
            data[flag] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def new_version(client, **changes):
    return client.post(reverse("stats:definition_new"), form_data(current_definition(), **changes))


# --- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["analyst", "jingkou_editor", "team_member", "outsider"])
def test_every_reader_sees_the_versions(city, as_user, persona):
    response = as_user(getattr(city, persona)).get(reverse("stats:definitions"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "亿元以上项目统计口径" in body and "v1" in body


def test_the_list_says_which_version_is_current_and_who_made_it(city, as_user):
    definition_new_version(
        based_on=current_definition(), changes={"threshold_total_wan": "5000"}, by=city.analyst
    )
    response = as_user(city.analyst).get(reverse("stats:definitions"))
    rows = list(response.context["definitions"])
    assert [d.version for d in rows] == [2, 1]
    assert rows[0].is_current and not rows[1].is_current
    assert "cityanalyst" in response.content.decode()


def test_the_detail_shows_every_rule_in_chinese(city, as_user):
    response = as_user(city.jingkou_editor).get(reverse("stats:definition", args=[1]))
    assert response.status_code == 200
    rules = response.context["rules"]
    from yinli.stats.models import PARAMETER_FIELDS

    assert {r["field"] for r in rules["rules"]} == set(PARAMETER_FIELDS) - {"wording"}
    body = response.content.decode()
    assert "10000万元" in body and "1000万美元" in body
    assert "工业、服务业" in body
    assert "1亿元、10亿元、30亿元" in body
    assert "新签约{threshold}项目{count}个" in body  # the headline sentence of the bulletin
    # Every label and value is Chinese (no English msgid left untranslated).
    for rule in rules["rules"]:
        assert CJK.search(rule["label"]), rule
    assert CJK.search(rules["summary"])


def test_an_unknown_version_is_not_found(city, as_user):
    assert as_user(city.analyst).get(reverse("stats:definition", args=[99])).status_code == 404


# --- making a version -------------------------------------------------------------------------


def test_the_form_starts_from_the_chosen_version(city, as_user):
    definition_new_version(
        based_on=current_definition(), changes={"threshold_total_wan": "5000"}, by=city.analyst
    )
    client = as_user(city.analyst)
    form = client.get(reverse("stats:definition_new"), {"from": "1"}).context["form"]
    assert Decimal(form.initial["threshold_total_wan"]) == Decimal(10000)
    form = client.get(reverse("stats:definition_new")).context["form"]
    assert Decimal(form.initial["threshold_total_wan"]) == Decimal(5000)


def test_the_analyst_saves_a_new_version(city, as_user):
    response = new_version(
        as_user(city.analyst),
        threshold_total_wan="5000",
        size_bands_yi="0.5, 1, 10",
        categories=["industrial"],
        note="市里决定统计5000万元以上项目",
    )
    definition = Definition.objects.get(version=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("stats:definition", args=[2])
    assert definition.is_current and not Definition.objects.get(version=1).is_current
    assert definition.threshold_total_wan == Decimal(5000)
    assert definition.size_bands_yi == [0.5, 1, 10]
    assert definition.categories == ["industrial"]
    assert definition.based_on.version == 1 and definition.created_by == city.analyst
    assert definition.note == "市里决定统计5000万元以上项目"
    # Version 1 stays as it was.
    assert Definition.objects.get(version=1).threshold_total_wan == Decimal(10000)


def test_the_admin_may_save_a_version_that_is_not_current(city, as_user):
    response = new_version(as_user(city.admin), name="试行口径", make_current=None)
    assert response.status_code == 302
    assert not Definition.objects.get(version=2).is_current
    assert current_definition().version == 1


def test_the_wording_rules_change_with_a_version(city, as_user):
    import json

    wording = dict(current_definition().wording)
    wording["highlight_groups"] = ["长三角"]
    new_version(as_user(city.analyst), wording=json.dumps(wording, ensure_ascii=False))
    assert Definition.objects.get(version=2).wording["highlight_groups"] == ["长三角"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"threshold_total_wan": "-1"}, "threshold_total_wan"),
        ({"threshold_total_wan": "一亿"}, "threshold_total_wan"),
        ({"threshold_foreign_currency": "US"}, "threshold_foreign_currency"),
        ({"size_bands_yi": "10, 1"}, "size_bands_yi"),
        ({"size_bands_yi": "1, 十"}, "size_bands_yi"),
        ({"categories": []}, "categories"),
        ({"wording": "{不是JSON"}, "wording"),
        ({"decimal_places": "9"}, "decimal_places"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_value_is_refused_in_chinese(city, as_user, changes, field):
    response = new_version(as_user(city.analyst), **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert all(CJK.search(message) for message in errors[field]), errors[field]
    assert Definition.objects.count() == 1


def test_a_district_reads_but_does_not_define(city, as_user):
    client = as_user(city.jingkou_editor)
    body = client.get(reverse("stats:definitions")).content.decode()
    assert reverse("stats:definition_new") not in body
    assert client.get(reverse("stats:definition_new")).status_code == 403
    assert new_version(client, threshold_total_wan="5000").status_code == 403
    response = client.post(reverse("stats:definition_current", args=[1]))
    assert response.status_code == 403
    assert Definition.objects.count() == 1


def test_the_city_makes_an_older_version_current_again(city, as_user):
    definition_new_version(
        based_on=current_definition(), changes={"threshold_total_wan": "5000"}, by=city.analyst
    )
    client = as_user(city.analyst)
    response = client.post(reverse("stats:definition_current", args=[1]))
    assert response.status_code == 302
    assert current_definition().version == 1
    assert Definition.objects.filter(is_current=True).count() == 1

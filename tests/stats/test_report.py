"""The report JSON (keys, types, scope, version) and the `yinli report` command."""

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.stats.conftest import signed
from yinli.stats.definitions import definition_new_version
from yinli.stats.report import build_report

ROW_KEYS = {"name", "count", "count_share_pct", "investment_yi", "investment_share_pct"}
LISTS = [
    "by_region_group",
    "by_source_province",
    "by_source_city",
    "by_source_country",
    "by_district",
    "by_industry",
    "by_category",
    "by_channel",
    "by_size_band",
    "by_ownership",
    "by_event",
    "top_source_cities",
]


@pytest.fixture
def projects(city):
    signed(city, wan="20000", source="440300", district=city.jingkou)
    signed(
        city,
        wan="15000",
        source="KR-SEOUL",
        ownership="foreign",
        foreign_investment="2000",
        fai_on=date(2025, 4, 1),
    )
    signed(city, wan="30000", on=date(2024, 4, 1))


def is_number_or_none(value):
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def test_the_report_has_the_keys_of_the_issue_as_numbers(projects, city):
    report = build_report(user=city.analyst, period="2025H1")
    assert report["period"] == {
        "code": "2025H1",
        "kind": "half",
        "label": "2025年上半年",
        "short_label": "上半年",
        "start": "2025-01-01",
        "end": "2025-06-30",
    }
    assert report["definition"]["name"] and report["definition"]["version"] == 1
    assert report["scope"]["kind"] == "city"
    for key in ("count", "investment_yi", "count_yoy_pct", "investment_yoy_pct"):
        assert is_number_or_none(report["signed"][key]), key
    for key in ("count", "agreed_investment_yi", "investment_share_pct"):
        assert is_number_or_none(report["foreign"][key]), key
    for key in ("count", "investment_yi", "investment_yoy_pct"):
        assert is_number_or_none(report["in_statistics"][key]), key
    for key in LISTS:
        assert isinstance(report[key], list), key
        for row in report[key]:
            assert ROW_KEYS <= set(row), key
            assert isinstance(row["count"], int)
            assert all(is_number_or_none(row[k]) for k in ROW_KEYS - {"name"}), key
    for key in ("started_pct", "fulfilled_pct", "funds_in_place_pct", "producing_pct"):
        assert is_number_or_none(report["follow_through"][key]), key
    assert isinstance(report["bulletin"], str) and report["bulletin"].startswith("上半年全市")
    json.dumps(report)  # JSON as it is, no encoder needed


def test_amounts_and_percents_have_one_decimal_place(projects, city):
    report = build_report(user=city.analyst, period="2025H1")
    assert report["signed"]["investment_yi"] == 3.5
    assert report["signed"]["count_yoy_pct"] == 100.0
    assert report["signed"]["investment_yoy_pct"] == 16.7  # 3.5 on 3.0


def test_an_empty_period_has_nulls_where_nothing_is_defined(city):
    report = build_report(user=city.analyst, period="2019")
    assert report["signed"]["count"] == 0
    assert report["signed"]["count_yoy_pct"] is None
    assert report["foreign"]["investment_share_pct"] is None
    assert report["follow_through"]["started_pct"] is None


def test_the_report_names_the_version_it_used(projects, city, definition):
    definition_new_version(
        based_on=definition,
        changes={"threshold_total_wan": 16000, "threshold_foreign": None},
        by=city.analyst,
    )
    report = build_report(user=city.analyst, period="2025H1")
    assert report["definition"]["version"] == 2
    assert report["signed"]["count"] == 1
    old = build_report(user=city.analyst, period="2025H1", definition=1)
    assert (old["definition"]["version"], old["signed"]["count"]) == (1, 2)


def test_a_district_editor_gets_her_district(projects, city):
    report = build_report(user=city.jingkou_editor, period="2025H1")
    assert report["scope"]["name"] == "京口区"
    assert report["signed"]["count"] == 1
    assert report["bulletin"].startswith("上半年京口区")


def test_a_district_editor_may_not_report_on_another_district(projects, city):
    with pytest.raises(PermissionDenied):
        build_report(user=city.jingkou_editor, period="2025H1", district=city.jingkai)


def test_a_district_is_found_by_code_or_name(projects, city):
    by_code = build_report(user=city.analyst, period="2025H1", district="jingkou")
    by_name = build_report(user=city.analyst, period="2025H1", district="京口区")
    assert by_code["scope"] == by_name["scope"]


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_json_alone(projects, city):
    out, _err = run("--period", "2025H1", "--format", "json")
    report = json.loads(out)
    assert report["signed"]["count"] == 2
    assert report["signed"]["investment_yi"] == 3.5


def test_the_command_takes_a_district_a_version_and_a_user(projects, city):
    out, _ = run("--period", "2025H1", "--district", "京口区", "--definition", "1")
    assert json.loads(out)["scope"]["name"] == "京口区"
    out, _ = run("--period", "2025H1", "--user", city.jingkou_editor.username)
    assert json.loads(out)["signed"]["count"] == 1


def test_the_command_writes_text(projects, city, tmp_path):
    path = tmp_path / "report.txt"
    run("--period", "2025H1", "--format", "text", "--output", str(path))
    text = path.read_text(encoding="utf-8")
    assert "上半年全市新签约亿元以上项目2个" in text
    assert "深圳市" in text


@pytest.mark.parametrize(
    "args",
    [
        ("--period", "2025H3"),
        ("--period", "2025H1", "--district", "火星区"),
        ("--period", "2025H1", "--definition", "9"),
        ("--period", "2025H1", "--user", "nobody"),
    ],
)
def test_a_usage_error_exits_2_with_a_message(projects, city, args):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2
    assert str(error.value)


def test_a_district_editor_asking_for_another_district_is_refused(projects, city):
    with pytest.raises(CommandError) as error:
        run("--period", "2025H1", "--user", city.jingkou_editor.username, "--district", "jingkai")
    assert error.value.returncode == 2


def test_without_any_administrator_the_data_stops_the_command(db):
    with pytest.raises(CommandError) as error:
        run("--period", "2025H1")
    assert error.value.returncode == 1

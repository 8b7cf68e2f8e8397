"""`yinli alerts`: JSON alone on stdout, scoped to the acting user, usage errors exit 2."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.followup.conftest import followed

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("alerts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def late(city):
    return {
        "jingkou": followed(city, signed_on=date(2024, 1, 10), district=city.jingkou),
        "jingkai": followed(
            city,
            signed_on=date(2024, 1, 10),
            district=city.jingkai,
            steps=[("registered", date(2024, 3, 1))],
        ),
    }


def test_json_lists_the_open_alerts_with_rule_and_project(city, late):
    out, err = run("--as-of", "2025-01-01", "--format", "json")
    data = json.loads(out)
    assert data["as_of"] == "2025-01-01"
    found = {(a["rule"]["name"], a["project"]["id"]) for a in data["alerts"]}
    assert found == {("签约未注册", late["jingkou"].pk), ("注册未开工", late["jingkai"].pk)}
    first = next(a for a in data["alerts"] if a["project"]["id"] == late["jingkou"].pk)
    assert (first["since"], first["days"]) == (
        "2024-07-10",
        (date(2025, 1, 1) - date(2024, 7, 10)).days,
    )
    assert "2" in err  # the count, on stderr


def test_a_district_and_a_rule_narrow_the_list(city, late):
    data = json.loads(run("--as-of", "2025-01-01", "--district", "京口区")[0])
    assert [a["project"]["id"] for a in data["alerts"]] == [late["jingkou"].pk]
    data = json.loads(run("--as-of", "2025-01-01", "--rule", "注册未开工")[0])
    assert [a["project"]["id"] for a in data["alerts"]] == [late["jingkai"].pk]


def test_the_acting_users_scope_applies(city, late):
    data = json.loads(run("--as-of", "2025-01-01", "--user", city.jingkou_editor.username)[0])
    assert {a["district"]["name"] for a in data["alerts"]} == {"京口区"}


def test_text_has_one_line_per_alert(city, late):
    out, _err = run("--as-of", "2025-01-01", "--format", "text")
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert any(late["jingkou"].name in line and "签约未注册" in line for line in lines)


@pytest.mark.parametrize(
    "args",
    [
        ("--as-of", "2025-13-45"),
        ("--district", "火星区"),
        ("--rule", "没有这条规则"),
        ("--user", "nobody"),
    ],
)
def test_usage_errors_exit_2(city, args):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2

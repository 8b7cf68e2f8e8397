"""`yinli fieldwork summary`: JSON alone on stdout, text on request, exit 2 on a usage error."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .helpers import trip, visit


def run(*args) -> str:
    out = StringIO()
    call_command("fieldwork", "summary", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_prints_the_summary_as_json(city):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 4), ["440305", "DE-MUNICH"], km="20500")
    visit(city, city.team)
    data = json.loads(run("--unit", "镇江经开区", "--from", "2025-06-01", "--to", "2025-06-30"))
    assert {k: data[k] for k in ("days", "cities", "regions", "visits", "km")} == {
        "days": 3,
        "cities": 2,
        "regions": 2,
        "visits": 1,
        "km": 20500,
    }
    assert data["text"] == "3天内奔赴2个重点城市、2个重点区域，开展1次拜访，累计行程约20500公里"


def test_it_prints_the_sentence_as_text(city):
    trip(city, city.team, date(2025, 6, 2), date(2025, 6, 2), ["440305"], km="2610")
    text = run(
        "--unit", city.team.code, "--from", "2025-06-01", "--to", "2025-06-30", "--format", "text"
    )
    assert text.strip() == "1天内奔赴1个重点城市、1个重点区域，开展0次拜访，累计行程约2600公里"


@pytest.mark.parametrize(
    "args",
    [
        ("--unit", "没有这个单位", "--from", "2025-06-01", "--to", "2025-06-30"),
        ("--unit", "jingkai", "--from", "2025-13-01", "--to", "2025-06-30"),
        ("--unit", "jingkai", "--from", "2025-06-30", "--to", "2025-06-01"),
    ],
)
def test_a_usage_error_exits_2(city, args):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2


def test_it_acts_as_the_user_named(city):
    with pytest.raises(CommandError) as error:
        run(
            "--unit",
            "jingkai",
            "--from",
            "2025-06-01",
            "--to",
            "2025-06-30",
            "--user",
            city.jingkou_editor.username,
        )
    assert error.value.returncode == 2

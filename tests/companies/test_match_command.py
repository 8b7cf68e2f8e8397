"""Specification of `yinli companies match TEXT [--limit N] [--format json|text]`."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from yinli.companies.uscc import generate_uscc

pytestmark = pytest.mark.django_db


def match(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("companies", "match", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def match_json(*args: str) -> list[dict]:
    out, _err = match(*args, "--format", "json")
    return json.loads(out)


@pytest.fixture
def registry():
    return {
        name: factories.company(name)
        for name in [
            "恒远光电科技（常州）有限公司",
            "恒远电子有限公司",
            "华裕光电科技有限公司",
            "镇江市润扬食品有限公司",
        ]
    }


def test_it_prints_the_candidates_as_json_best_first(registry):
    found = match_json("江苏恒远光电科技股份有限公司")
    assert found[0] == {
        "company_id": registry["恒远光电科技（常州）有限公司"].pk,
        "name": "恒远光电科技（常州）有限公司",
        "score": 100,
        "reason": "名称相似 100%",
    }
    assert [c["score"] for c in found] == sorted((c["score"] for c in found), reverse=True)


def test_each_candidate_has_exactly_the_four_keys(registry):
    for candidate in match_json("恒远光电"):
        assert set(candidate) == {"company_id", "name", "score", "reason"}
        assert isinstance(candidate["score"], int) and 0 <= candidate["score"] <= 100


def test_the_json_is_alone_on_stdout(registry):
    out, _err = match("恒远光电", "--format", "json")
    assert out.strip().startswith("[") and out.strip().endswith("]")
    json.loads(out)


def test_a_credit_code_prints_its_company(registry):
    code = generate_uscc(random.Random(21))
    company = factories.company("丹阳明辉眼镜有限公司", uscc=code)
    assert match_json(code) == [
        {"company_id": company.pk, "name": company.name, "score": 100, "reason": "同一信用代码"}
    ]


def test_nothing_near_prints_an_empty_list(registry):
    assert match_json("瑞士罗氏制药") == []


def test_the_limit_caps_the_list(registry):
    assert len(match_json("光电", "--limit", "1")) == 1


def test_a_merged_company_is_printed_only_when_asked_for(registry):
    merged = factories.company(
        "恒远光电科技(常州)有限公司", merged_into=registry["恒远光电科技（常州）有限公司"]
    )
    assert merged.pk not in {c["company_id"] for c in match_json("恒远光电科技")}
    found = match_json("恒远光电科技", "--include-merged")
    assert merged.pk in {c["company_id"] for c in found}


def test_the_text_format_shows_score_id_name_and_reason(registry):
    out, _err = match("恒远光电科技有限公司")
    first = out.splitlines()[0]
    company = registry["恒远光电科技（常州）有限公司"]
    assert first.split() == ["100", str(company.pk), company.name, "(名称相似", "100%)"]


def test_the_text_format_says_so_on_stderr_when_nothing_is_found(registry):
    out, err = match("瑞士罗氏制药")
    assert out == ""
    assert err.strip()


def test_an_empty_text_is_a_usage_error():
    with pytest.raises(CommandError) as raised:
        match("   ")
    assert raised.value.returncode == 2


@pytest.mark.parametrize(
    "args",
    [
        ["companies"],
        ["companies", "match"],
        ["companies", "match", "恒远", "--limit", "0"],
        ["companies", "match", "恒远", "--limit", "many"],
        ["companies", "match", "恒远", "--format", "xml"],
        ["companies", "frobnicate"],
    ],
)
def test_a_usage_error_exits_with_2(args):
    done = subprocess.run(
        [sys.executable, "-m", "yinli.cli", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""

"""The import's fast paths give what the slow ones gave (issue 4, the benchmark's speed work):
stage dates filled in the row agree with the stage log, history rows copied by the database
equal their records, and the shortcuts in name normalization and credit-code checking agree
with the plain rules."""

from __future__ import annotations

import gc
import random
import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc as stdnum_uscc

from yinli.companies.models import Company
from yinli.companies.uscc import ALPHABET, _check_character, generate_uscc, validate_uscc
from yinli.core.names import _strip_punctuation, normalize_company_name, pinyin_initials
from yinli.ledger.importer import commit_import, fast_initials
from yinli.ledger.values import normalize_project_name
from yinli.projects import stagedates
from yinli.projects.models import Project, Stage

from .builders import a_uscc
from .test_import import csv_ledger, good_row


def _letters_and_digits(text: str) -> str:
    """The rule as first written: keep Unicode categories L* and N*."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def test_isalnum_is_exactly_the_letter_and_digit_categories():
    differ = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if chr(code).isalnum() != (unicodedata.category(chr(code))[0] in "LN")
    ]
    assert differ == []


@pytest.mark.parametrize(
    "text",
    [
        "恒远光电科技",
        "恒远(镇江)光电·科技",
        "Heng-Yuan Co., Ltd.",
        "",
        "（）",
        "ＡＢＣ１２３",
        "①号线",
    ],
)
def test_stripping_signs_keeps_what_the_categories_keep(text):
    assert _strip_punctuation(text) == _letters_and_digits(text)


def test_project_name_keys_follow_the_categories():
    rng = random.Random(7)
    pool = "年产万吨锂电池项目（一期）-·ABCabc123 ①、，。"
    for _ in range(2000):
        name = "".join(rng.choice(pool) for _ in range(rng.randrange(1, 16)))
        expected = _letters_and_digits(unicodedata.normalize("NFKC", name).lower())
        assert normalize_project_name(name) == expected


def test_the_check_character_agrees_with_python_stdnum():
    rng = random.Random(11)
    for _ in range(20000):
        first_17 = "".join(rng.choice(ALPHABET) for _ in range(17))
        assert _check_character(first_17) == stdnum_uscc.calc_check_digit(first_17)


def test_a_wrong_check_character_is_still_refused():
    code = generate_uscc(random.Random(5))
    assert validate_uscc(code) == code
    wrong = code[:17] + next(c for c in ALPHABET if c != code[17])
    with pytest.raises(ValidationError) as refused:
        validate_uscc(wrong)
    assert refused.value.code == "invalid_checksum"


def test_fast_initials_read_the_normalized_name():
    for name in ["江苏恒远光电科技股份有限公司", "年产5万吨锂电池材料项目", "恒远(镇江)分公司"]:
        assert fast_initials(name) == fast_initials(normalize_company_name(name))
        assert len(fast_initials(name)) == len(normalize_company_name(name))


def _rows_at_every_stage():
    """Rows at 线索 and 洽谈 (no signing date), 签约, and past it (注册: two log entries)."""
    return [
        good_row(1, 签约时间="", 项目进度="线索"),
        good_row(2, 签约时间="", 项目进度="洽谈"),
        good_row(3),
        good_row(4, 项目进度="注册", 统一社会信用代码=a_uscc(4)),
        good_row(5, 项目进度="已注册", 统一社会信用代码=a_uscc(5), 签约时间="2024-11-30"),
    ]


@pytest.mark.parametrize("bulk", [False, True])
def test_stage_dates_written_with_the_row_agree_with_the_log(city, industries, tmp_path, bulk):
    result = commit_import(
        path=csv_ledger(tmp_path, _rows_at_every_stage()), user=city.admin, bulk=bulk
    )
    assert result.errors == [] and result.counts["create"] == 5
    stages = set()
    for project in Project.objects.all():
        stored = {name: getattr(project, name) for name in stagedates.FIELDS}
        assert stored == stagedates.stage_dates_of(project.pk), project.name
        assert project.entered_on is not None
        stages.add(project.stage)
    assert stages == {Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.REGISTERED}


def _tracked(record, history_model) -> dict:
    names = [f.attname for f in history_model._meta.concrete_fields]
    return {n: getattr(record, n) for n in names if not n.startswith("history_")}


@pytest.mark.parametrize("bulk", [False, True])
def test_history_rows_copied_by_the_database_equal_their_records(city, industries, tmp_path, bulk):
    result = commit_import(
        path=csv_ledger(tmp_path, _rows_at_every_stage()), user=city.jingkou_editor, bulk=bulk
    )
    assert result.counts["create"] == 5
    for model in (Project, Company):
        history = model.history.model
        records = list(model.objects.all())
        assert records
        for record in records:
            (row,) = history.objects.filter(id=record.pk)
            assert row.history_type == "+" and row.history_change_reason == "import"
            assert row.history_user_id == city.jingkou_editor.pk
            assert row.history_date == record.created_at
            assert _tracked(row, history) == _tracked(record, history)


@pytest.mark.django_db
def test_the_cached_converter_reads_names_investors_and_notes_as_the_plain_one():
    """The inlined text reading of _CachedConverter (name, 投资方, 备注) gives the values and the
    problems RowConverter gives: spaces, blank marks, lengths at and over the limit, non-text."""
    from yinli.ledger.convert import RowConverter
    from yinli.ledger.importer import _CachedConverter
    from yinli.ledger.mapping import Column
    from yinli.ledger.values import ValueResolver

    columns = [
        Column(0, "项目名称", "name"),
        Column(1, "投资方", "company"),
        Column(2, "备注", "notes"),
    ]
    resolver = ValueResolver()
    plain, cached = RowConverter(columns, resolver), _CachedConverter(columns, resolver)
    texts = [
        "  年产5万件 \u3000 材料项目 ", "无", " — ", "Ｎ／Ａ", "n/a", "", "  ", "暂无 ", "\u00a0",
        "甲" * 200, "甲" * 201, " " + "乙" * 200 + " ", "恒远\n光电", 12.0, 7, None,
    ]  # fmt: skip
    rows = [[a, b, c] for a in texts for b in texts[:6] for c in [*texts[:4], "备" * 100_001]]
    rows += [*([a] for a in texts), *([a, "恒远"] for a in texts), []]
    for number, cells in enumerate(rows, start=2):
        want, got = plain.convert(number, cells), cached.convert(number, cells)
        assert got.values == want.values, cells
        assert got.problems == want.problems, cells


def test_initials_written_by_the_bulk_path_are_the_models(city, industries, tmp_path):
    rows = [
        good_row(
            1, 项目名称="江苏恒远光电科技有限公司扩建项目", 投资方="江苏恒远光电科技股份有限公司"
        ),
        good_row(2, 项目名称="年产2万吨 Co.材料项目", 投资方="恒远(镇江)光电有限公司镇江分公司"),
        good_row(3, 项目名称="ＡＢ年产3万件项目", 投资方="上海电气"),
    ]
    result = commit_import(path=csv_ledger(tmp_path, rows), user=city.admin, bulk=True)
    assert result.errors == [] and result.counts["create"] == 3
    for record in [*Project.objects.all(), *Company.objects.all()]:
        assert record.name_initials == pinyin_initials(record.name)[:200], record.name


def test_the_import_pauses_the_cycle_collector_and_restarts_it(city, industries, tmp_path):
    seen = []
    path = csv_ledger(tmp_path, [good_row(1), good_row(2)])
    commit_import(path=path, user=city.admin, progress=lambda *_: seen.append(gc.isenabled()))
    assert seen and not any(seen)
    assert gc.isenabled()
    gc.disable()  # a caller that paused it itself keeps it paused
    try:
        commit_import(path=path, user=city.admin)
        assert not gc.isenabled()
    finally:
        gc.enable()

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

from .builders import HEADER, a_uscc, write_csv
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


def _stored(model, leave_out=("id", "created_at", "updated_at", "history_date", "recorded_at")):
    """Every row of the model's table as the database stores it (on SQLite each value with its
    storage class: "15000" kept as text would differ from the integer 15000), in a fixed order,
    without the keys and times that differ from one run to the next."""
    from django.db import connection

    quote = connection.ops.quote_name
    columns = [
        f.column
        for f in model._meta.concrete_fields
        if f.column not in leave_out and not f.column.endswith("_id")
    ]
    if connection.vendor == "sqlite":
        shown = ", ".join(f"typeof({quote(c)}), {quote(c)}" for c in columns)
    else:
        shown = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {shown} FROM {quote(model._meta.db_table)}")
        return sorted(cursor.fetchall(), key=repr)


@pytest.mark.parametrize("bulk", [False, True])
def test_values_given_as_plain_text_are_stored_as_the_drivers_adapters_store_them(
    city, industries, tmp_path, bulk, monkeypatch
):
    """The import hands SQLite its amounts, dates and choices as plain text (importer._plain,
    and importer._PlainText for the project rows, made plain as they are built); what is
    stored — value and storage class — is what the driver's adapters store for the objects
    themselves, for amounts written in several ways."""
    from django.db import transaction

    from yinli.ledger import importer
    from yinli.projects.models import StageChange

    rows = [
        *_rows_at_every_stage(),
        good_row(6, **{"总投资(万元)": "2.50"}),
        good_row(7, **{"总投资(万元)": "2.5"}),
        good_row(8, **{"总投资(万元)": "1.0亿"}),
        good_row(9, **{"总投资(万元)": "0.75亿元"}),
        good_row(10, **{"总投资(万元)": "12,000.10"}),
    ]
    path = csv_ledger(tmp_path, rows)
    models = [Project, Project.history.model, StageChange, Company, Company.history.model]

    def imported() -> list:
        with transaction.atomic():
            result = commit_import(path=path, user=city.admin, bulk=bulk)
            assert result.errors == [] and result.counts["create"] == len(rows)
            stored = [_stored(model) for model in models]
            transaction.set_rollback(True)
        return stored

    fast = imported()
    assert Project.objects.count() == 0
    monkeypatch.setattr(importer, "_plain", lambda rows, positions: None)
    monkeypatch.setattr(importer._PlainText, "__call__", lambda self, value: value)
    plain = imported()
    assert all(fast) and fast == plain


# The writer's row building as first written (a dict a row, through _Table.insert): the plain
# path the value rows built in place are compared with.


def _companies_by_dicts(self, plans):
    from yinli.ledger.importer import _copy_to_history, _NewCompany, _normalized_company, _table

    index = self.planner.index
    pending = {
        id(p.company): p.company
        for p in plans
        if isinstance(p.company, _NewCompany) and p.company.pk is None
    }
    if not pending:
        return []
    rows = []
    for new in pending.values():
        name = " ".join(new.name.split())
        normalized = _normalized_company(name)
        rows.append(
            {
                "name": name,
                "name_normalized": normalized,
                "name_initials": fast_initials(name, normalized),
                "uscc": new.uscc or None,
                "region_id": new.region_id,
                "version": 1,
                "created_at": self.now,
                "updated_at": self.now,
                "created_by_id": self.user.pk,
            }
        )
    ids = _table(Company).insert(rows)
    _copy_to_history(Company, ids, user=self.user, now=self.now, reason="import")
    for new, pk, row in zip(pending.values(), ids, rows, strict=True):
        new.pk = pk
        index.add_company(pk, row["uscc"], row["name_normalized"])
    for key in [k for k, v in index.new_companies.items() if v.pk is not None]:
        del index.new_companies[key]
    return ids


def _projects_by_dicts(self, plans):
    from yinli.ledger.importer import (
        _RECORD_FIELDS,
        IMPORT_NOTE,
        PROJECT_FIELDS,
        _copy_to_history,
        _table,
    )
    from yinli.projects.models import (
        Agreement,
        Category,
        DuplicateDecision,
        StageChange,
        stage_rank,
    )

    if not plans:
        return []
    rows, logs = [], []
    today = self.planner.today
    for plan in plans:
        values = plan.values
        stage = values["stage"]
        signed = stage_rank(stage) >= stage_rank(Stage.SIGNED)
        signed_on = values.get("signed_on")
        row = {
            PROJECT_FIELDS[name]: value.pk if name in _RECORD_FIELDS else value
            for name, value in values.items()
            if value is not None and name in PROJECT_FIELDS
        }
        row.setdefault("category", Category.INDUSTRIAL)
        row.update(
            name=values["name"],
            name_initials=fast_initials(values["name"]),
            company_id=self._company_id(plan.company),
            district_id=plan.district.pk,
            responsible_unit_id=row.get("responsible_unit_id") or plan.district.pk,
            stage=stage,
            stage_on=signed_on if stage == Stage.SIGNED else today,
            agreement=Agreement.FORMAL if signed else "",
            first_signed_on=signed_on if signed else None,
            version=1,
            created_at=self.now,
            updated_at=self.now,
            created_by_id=self.user.pk,
        )
        if plan.decision is not None:
            row["duplicate_decision"] = plan.decision["decision"]
            if plan.decision["decision"] == DuplicateDecision.DISTINCT:
                row["duplicate_reason"] = plan.decision["reason"]
        log = []
        if row["first_signed_on"]:
            log.append((Stage.SIGNED, row["first_signed_on"]))
        if stage != Stage.SIGNED or not row["first_signed_on"]:
            log.append((stage, row["stage_on"] or today))
        row.update(stagedates.stage_dates_from_log(log))
        logs.append(log)
        rows.append(row)
    ids = _table(Project).insert(rows)
    _copy_to_history(Project, ids, user=self.user, now=self.now, reason="import")
    changes = []
    for pk, row, log, plan in zip(ids, rows, logs, plans, strict=True):
        for stage, on in log:
            changes.append(
                {"project_id": pk, "stage": stage, "on": on, "by_id": self.user.pk,
                 "note": IMPORT_NOTE, "recorded_at": self.now}
            )  # fmt: skip
        self.planner.index.add_project(
            pk, row["name"], row["district_id"], row.get("fai_code"), row["company_id"], plan.key
        )
        self.planner.index.not_duplicates.add(pk)
    _table(StageChange).insert(changes, returning=False)
    self._open_conflicts(plans, ids)
    return ids


@pytest.mark.parametrize("bulk", [False, True])
def test_value_rows_built_in_place_store_what_the_dicts_stored(
    city, industries, tmp_path, bulk, monkeypatch
):
    """_Writer._create_companies/_create_projects build each row's values in column order from
    a row of defaults; the records, history rows and stage log they store are those the dict a
    row (through _Table.insert) stored — every column, for rows at every stage, with amounts,
    foreign investment, a 项目类别, and an answered possible duplicate."""
    from django.db import transaction

    from yinli.ledger.importer import _Writer
    from yinli.projects.models import StageChange

    header = [*HEADER, "协议外资(万美元)", "项目性质", "项目类别", "备注"]
    rows = [
        [*row, *extra]
        for row, extra in zip(
            [*_rows_at_every_stage(), good_row(6, **{"总投资(万元)": "2.5亿"})],
            [
                ["", "", "", ""],
                ["500", "新建", "工业", "备注一"],
                ["", "增资扩产", "", ""],
                ["1200", "", "服务业", ""],
                ["", "新建", "", ""],
                ["300", "", "", "注"],
            ],
            strict=True,
        )
    ]
    path = write_csv(tmp_path / "台账.csv", [header, *rows], encoding="utf-8")
    other = csv_ledger(tmp_path, [good_row(1, 项目名称="另一区的项目", 所属板块="润州区")], "b.csv")
    assert commit_import(path=other, user=city.admin).counts["create"] == 1  # a possible duplicate
    models = [Project, Project.history.model, StageChange, Company, Company.history.model]

    def imported() -> list:
        with transaction.atomic():
            result = commit_import(
                path=path,
                user=city.admin,
                bulk=bulk,
                undecided="distinct",
                undecided_reason="另一笔投资",
            )
            assert result.errors == [] and result.counts["create"] == len(rows)
            stored = [_stored(model) for model in models]
            transaction.set_rollback(True)
        return stored

    in_place = imported()
    monkeypatch.setattr(_Writer, "_create_companies", _companies_by_dicts)
    monkeypatch.setattr(_Writer, "_create_projects", _projects_by_dicts)
    by_dicts = imported()
    assert all(in_place) and in_place == by_dicts

"""The create-only path of a first load (importer._Planner.fast_chunk, _Writer.write_fast) gives
what the plain path gives: the same stored rows, the same errors with the same row numbers, the
same possible duplicates, counts and batches — for generated ledgers with errors, within-file
duplicates and rows the fast path must leave to the plain one, chunk by chunk."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db import transaction

from yinli.companies.models import Company
from yinli.ledger import importer
from yinli.ledger.importer import commit_import, undo_import
from yinli.ledger.models import ImportBatch
from yinli.projects.models import Project, StageChange

from .builders import a_uscc, write_csv
from .test_import_speed import _stored

HEADER = [
    "序号",
    "项目名称",
    "投资方",
    "统一社会信用代码",
    "来源地",
    "实控方",
    "实控方所在地",
    "计划总投资(万元)",
    "协议外资(万美元)",
    "产业方向",
    "项目类别",
    "项目性质",
    "签约时间",
    "所属板块",
    "项目进度",
    "首谈人",
    "责任人",
    "挂钩领导",
    "招商方式",
    "投资项目代码",
    "用地(亩)",
    "新增就业",
    "预计税收(万元)",
    "预计年产值(万元)",
    "备注",
]
PLACES = ["上海", "上海浦东", "深圳", "北京市朝阳区", "杭州", "苏州", "香港", "德国"]
INDUSTRIES = ["新能源", "新材料及精细化工", "智能装备及涉港产业", "现代物流"]
DISTRICTS = ["京口区", "润州区", "京口区"]
STAGES = ["签约", "已签约", "注册", "洽谈", "", "开工", "线索"]
CHANNELS = ["以商引商", "驻点招商", "委托招商"]

# Wrong or unusual cells, each in some rows: (column, value).
BAD = [
    ("计划总投资(万元)", "很多"),  # cannot be read
    ("签约时间", "2099-01-01"),  # in the future
    ("签约时间", ""),  # a signed project without its date (with 签约 below)
    ("统一社会信用代码", "91320000ABCDEFGHIJ"),  # a wrong credit code
    ("项目进度", "暂缓"),  # a status in the progress column
    ("项目进度", "火星阶段"),  # an unknown stage
    ("项目名称", ""),  # no name
    ("所属板块", "外星区"),  # no such district
    ("产业方向", ""),  # a signed project without its industry
    ("招商方式", ""),  # … without its channel
]


def ledger(seed: int, count: int, *, bad_every: int = 0, repeat_every: int = 0) -> list[list]:
    """``count`` rows; every ``bad_every``-th a wrong one, every ``repeat_every``-th a row that
    repeats an earlier project (by name and district, or by its 投资项目代码)."""
    rng = random.Random(seed)
    companies = [(f"恒远{n}新能源科技有限公司", a_uscc(seed * 1000 + n)) for n in range(count // 3)]
    rows = []
    for n in range(1, count + 1):
        name, uscc = rng.choice(companies)
        signed = date(2023, 1, 1) + timedelta(days=rng.randrange(700))
        stage = rng.choice(STAGES)
        # Every row complete for its stage: the wrong ones are made below.
        row = dict(
            zip(
                HEADER,
                [
                    n,
                    f"年产{n}万件{rng.choice('光电材料装备')}产品项目",
                    name,
                    uscc if stage in ("注册", "开工") else rng.choice([uscc, uscc, ""]),
                    rng.choice(PLACES),
                    rng.choice(["", "恒远集团"]),
                    rng.choice(["", "香港"]),
                    rng.choice(["15000", "2.5亿", "8000万元", "120000", "3亿元"]),
                    rng.choice(["", "500", "1200"]),
                    rng.choice(INDUSTRIES),
                    rng.choice(["", "", "工业", "服务业"]),
                    rng.choice(["新建", "增资扩产", ""]),
                    rng.choice(
                        [
                            signed.isoformat(),
                            f"{signed.year}年{signed.month}月{signed.day}日",
                            f"{signed.year}.{signed.month}.{signed.day}",
                        ]
                    ),
                    rng.choice(DISTRICTS),
                    stage,
                    rng.choice(["张三", ""]),
                    rng.choice(["李四", ""]),
                    rng.choice(["王五", "", "王五 "]),
                    rng.choice(CHANNELS),
                    f"2024-320{n:03d}-04-01-{n:06d}" if stage == "开工" else "",
                    rng.choice(["", "50", "120.5"]),
                    rng.choice(["", "100", "300"]),
                    rng.choice(["", "3000"]),
                    rng.choice(["", "50000", "1.2亿"]),
                    rng.choice(["", "备注", " 备注 "]),
                ],
                strict=True,
            )
        )
        if bad_every and n % bad_every == 0:
            column, value = rng.choice(BAD)
            row[column] = value
            if column == "签约时间":
                row["项目进度"] = "签约"
        if repeat_every and n % repeat_every == 0 and rows:
            earlier = dict(zip(HEADER, rng.choice(rows), strict=True))
            if earlier["投资项目代码"] and rng.random() < 0.5:
                row["投资项目代码"] = earlier["投资项目代码"]
                row["项目进度"] = "开工"
            else:
                row["项目名称"] = earlier["项目名称"]
                row["所属板块"] = earlier["所属板块"]
        rows.append([row[h] for h in HEADER])
    return rows


def _keys(model) -> list:
    """The foreign keys of each stored row that do not name a record the import wrote."""
    names = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname.endswith("_id")
        and f.attname not in {"id", "company_id", "project_id", "history_id", "merged_into_id"}
    ]
    return sorted(model._base_manager.values_list(*names), key=repr)


def _outcome(result) -> dict:
    return {
        "counts": result.counts,
        "errors": [p.as_dict() for p in result.errors],
        "warnings": [p.as_dict() for p in result.warnings],
        "possible_duplicates": result.possible_duplicates,
        "held_rows": result.held_rows,
        "skipped": result.skipped,
        "skipped_rows": result.skipped_rows,
        "committed": result.committed,
    }


MODELS = [Project, Project.history.model, StageChange, Company, Company.history.model]


def _import_both_ways(monkeypatch, user, path, **options) -> tuple[dict, dict, int]:
    """The import's outcome and what it stored, through the fast path and then the plain
    path (each rolled back), and how many chunks took the fast path."""
    fast_chunks = []
    write_fast = importer._Writer.write_fast

    def spy(self, chunk, batch):
        fast_chunks.append(chunk.row_count)
        return write_fast(self, chunk, batch)

    monkeypatch.setattr(importer._Writer, "write_fast", spy)

    def imported() -> dict:
        with transaction.atomic():
            result = commit_import(path=path, user=user, bulk=True, chunk_size=20, **options)
            stored = {
                "outcome": _outcome(result),
                "rows": [_stored(model) for model in MODELS],
                "keys": [_keys(model) for model in MODELS],
                "batches": sorted(
                    ImportBatch.objects.values_list(
                        "status", "rows", "created", "skipped", "first_row", "last_row"
                    ),
                    key=repr,
                ),
                "companies per project": sorted(
                    Project.objects.values_list("name", "company__name", "company__uscc"),
                    key=repr,
                ),
            }
            transaction.set_rollback(True)
        return stored

    fast = imported()
    monkeypatch.setattr(importer, "FAST_PATH", False)
    plain = imported()
    return fast, plain, len(fast_chunks)


@pytest.mark.parametrize("skip_invalid", [True, False])
def test_the_fast_path_stores_and_reports_what_the_plain_path_does(
    city, industries, tmp_path, monkeypatch, skip_invalid
):
    rows = ledger(3, 400, bad_every=37, repeat_every=29)
    path = write_csv(tmp_path / "台账.csv", [HEADER, *rows], encoding="utf-8")
    fast, plain, fast_chunks = _import_both_ways(
        monkeypatch, city.admin, path, skip_invalid=skip_invalid
    )
    assert 0 < fast_chunks < 20  # some chunks fast, the others (with a wrong row) plain
    outcome = fast["outcome"]
    assert outcome["errors"] and outcome["counts"]["error"] > 5
    if skip_invalid:
        assert outcome["counts"]["create"] > 300 and all(fast["rows"])
    assert fast == plain


def test_a_clean_first_load_goes_fast_and_re_imports_unchanged_and_undoes(
    city, industries, tmp_path, monkeypatch
):
    rows = ledger(5, 300)
    path = write_csv(tmp_path / "台账.csv", [HEADER, *rows], encoding="utf-8")
    fast, plain, fast_chunks = _import_both_ways(monkeypatch, city.admin, path)
    assert fast_chunks == len(range(0, len(rows), 20))  # every chunk
    assert fast["outcome"]["errors"] == [] and fast == plain
    monkeypatch.setattr(importer, "FAST_PATH", True)
    result = commit_import(path=path, user=city.admin, bulk=True, chunk_size=20)
    assert result.counts["create"] == len(rows) == Project.objects.count()
    again = commit_import(path=path, user=city.admin, bulk=True, chunk_size=20)
    assert again.counts["unchanged"] == len(rows) and again.counts["create"] == 0
    undo_import(batch=result.batch, by=city.admin)
    assert Project.objects.count() == 0


def test_a_district_with_projects_takes_the_plain_path_and_finds_duplicates(
    city, industries, tmp_path, monkeypatch
):
    rows = ledger(7, 120, bad_every=41)
    earlier = write_csv(
        tmp_path / "earlier.csv",
        [HEADER, *[[*row[:13], "润州区", *row[14:]] for row in rows[:40:3]]],
        encoding="utf-8",
    )
    assert commit_import(path=earlier, user=city.admin).counts["create"] > 5
    path = write_csv(tmp_path / "台账.csv", [HEADER, *rows], encoding="utf-8")
    fast, plain, fast_chunks = _import_both_ways(monkeypatch, city.admin, path, skip_invalid=True)
    assert fast_chunks == 0
    assert fast["outcome"]["possible_duplicates"] and fast == plain


def test_a_row_short_of_what_its_stage_needs_sends_its_chunk_to_the_plain_path(
    city, industries, tmp_path, monkeypatch
):
    """The requirement checks are remembered by what they read: a row without its industry,
    channel or source after complete rows at the same stage is still refused."""
    rows = ledger(11, 60)
    at = HEADER.index
    for row in rows:
        row[at("项目进度")] = "签约"
        row[at("签约时间")] = "2024-05-06"
    rows[14][at("产业方向")] = ""  # the first chunk (20 rows a chunk)
    rows[34][at("招商方式")] = ""  # the second
    rows[54][at("来源地")] = rows[54][at("实控方所在地")] = ""  # the third
    path = write_csv(tmp_path / "台账.csv", [HEADER, *rows], encoding="utf-8")
    fast, plain, fast_chunks = _import_both_ways(monkeypatch, city.admin, path, skip_invalid=True)
    assert fast_chunks == 0
    assert [e["row"] for e in fast["outcome"]["errors"]] == [16, 36, 56]
    assert fast["outcome"]["counts"]["create"] == 57 and fast == plain

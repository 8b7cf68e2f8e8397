"""Benchmark: a generated 100,000-row × 25-column ledger, read bare, dry-run, imported, exported.

    .venv/bin/pytest -q -s bench/test_ledger_import.py              # SQLite (or YINLI_DATABASE_URL)
    YINLI_BENCH_ROWS=20000 .venv/bin/pytest -q -s bench/test_ledger_import.py
    YINLI_BENCH_PROFILE=/tmp/import.prof …                            # cProfile the full import

Goal (issue 4): the full import within 5× of python-calamine reading the same file alone, peak
memory under 1 GiB. Not part of CI (`make bench`).
"""

from __future__ import annotations

import cProfile
import csv
import os
import random
import resource
import time
from datetime import date, timedelta

import pytest
import xlsxwriter

from tests import factories
from yinli.companies.uscc import generate_uscc
from yinli.ledger.export import LedgerExport, standard_template
from yinli.ledger.importer import commit_import, preview_import
from yinli.projects.models import Category, Industry, Project

ROWS = int(os.environ.get("YINLI_BENCH_ROWS", "100000"))
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
    "招商方式",
    "投资项目代码",
    "用地(亩)",
    "新增就业",
    "预计年产值(万元)",
    "预计税收(万元)",
    "挂钩领导",
    "备注",
]
PLACES = [
    "上海",
    "上海浦东",
    "深圳",
    "广东省深圳市南山区",
    "北京市朝阳区",
    "杭州",
    "苏州",
    "南京",
    "无锡",
    "常州",
    "合肥",
    "武汉",
    "成都",
    "重庆",
    "香港",
    "韩国首尔",
    "日本东京",
    "新加坡",
    "德国",
    "宁波",
    "青岛",
    "厦门",
    "天津",
    "陕西省西安市",
    "长沙",
    "郑州",
    "济南",
    "福州",
    "广州",
    "东莞",
]
INDUSTRIES = [
    ("新能源及新型电力装备", Category.INDUSTRIAL),
    ("新材料及精细化工", Category.INDUSTRIAL),
    ("智能装备及涉港产业", Category.INDUSTRIAL),
    ("航空航天及低空", Category.INDUSTRIAL),
    ("科技及服务业", Category.SERVICE),
]
WORDS = "恒远新创华泰联合智能精密光电材料科技能源装备生物医疗航空数字信息环保"


def ledger_rows(count: int, seed: int = 20250810):
    rng = random.Random(seed)
    companies = []
    for n in range(max(count // 3, 1)):
        name = "".join(rng.choice(WORDS) for _ in range(4)) + f"{n}科技有限公司"
        companies.append((name, generate_uscc(rng)))
    start = date(2023, 1, 1)
    for n in range(1, count + 1):
        name, uscc = rng.choice(companies)
        signed = start + timedelta(days=rng.randrange(950))
        yield [
            n,
            f"年产{n}万件{rng.choice(WORDS)}{rng.choice(WORDS)}产品项目",
            name,
            uscc,
            rng.choice(PLACES),
            "",
            "",
            rng.choice([15000, "2.5亿", "8000万元", 120000, "3亿元"]),
            rng.choice(["", 500, 1200]),
            rng.choice(INDUSTRIES)[0][:4],
            "",
            rng.choice(["新建", "增资扩产"]),
            rng.choice(
                [
                    signed.isoformat(),
                    f"{signed.year}年{signed.month}月{signed.day}日",
                    f"{signed.year}.{signed.month}.{signed.day}",
                ]
            ),
            rng.choice(["京口区", "镇江经开区", "润州区"]),
            rng.choice(["签约", "已签约", "注册"]),
            "张三",
            "李四",
            rng.choice(["以商引商", "驻点招商", "委托招商", "活动招商"]),
            "",
            rng.choice(["", 50, 120.5]),
            rng.choice(["", 100, 300]),
            50000,
            3000,
            "王五",
            "",
        ]


def write_xlsx(path, count):
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.write_row(0, 0, HEADER)
    for i, row in enumerate(ledger_rows(count), start=1):
        sheet.write_row(i, 0, row)
    book.close()


def write_csv(path, count):
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(ledger_rows(count))


def bare_read(path) -> int:
    from python_calamine import CalamineWorkbook

    cells = 0
    for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        cells += len(row)
    return cells


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.django_db(transaction=True)
def test_ledger_import_benchmark(tmp_path, settings):
    settings.LEDGER_IMPORT_MAX_ROWS = ROWS + 10
    city = factories.build_city()
    for name, category in INDUSTRIES:
        Industry.objects.get_or_create(name=name, defaults={"category": category})
    xlsx, csv_path = tmp_path / "bench.xlsx", tmp_path / "bench.csv"
    began = time.perf_counter()
    write_xlsx(xlsx, ROWS)
    write_csv(csv_path, ROWS)
    print(
        f"\n{ROWS} rows × {len(HEADER)} columns generated in {time.perf_counter() - began:.1f}s; "
        f"xlsx {xlsx.stat().st_size / 1024**2:.1f} MB, csv {csv_path.stat().st_size / 1024**2:.1f} MB"
    )

    timings = {}
    # The baseline is the best of three bare reads (one read alone varied 1.6–2.6 s on this
    # shared machine: the ratio is not to flatter the import with a slow read).
    reads = []
    for _ in range(3):
        began = time.perf_counter()
        bare_read(xlsx)
        reads.append(time.perf_counter() - began)
    timings["calamine read"] = min(reads)
    print("calamine reads: " + ", ".join(f"{seconds:.2f}s" for seconds in reads))

    began = time.perf_counter()
    preview = preview_import(path=xlsx, user=city.admin)
    timings["dry run"] = time.perf_counter() - began
    assert preview.errors == [], preview.errors[:5]

    profile = os.environ.get("YINLI_BENCH_PROFILE")  # a file name: cProfile the full import
    profiler = cProfile.Profile() if profile else None
    began = time.perf_counter()
    if profiler:
        profiler.enable()
    result = commit_import(path=xlsx, user=city.admin, bulk=True)
    timings["full import (bulk)"] = time.perf_counter() - began
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    assert result.counts["create"] == ROWS and Project.objects.count() == ROWS

    began = time.perf_counter()
    again = commit_import(path=csv_path, user=city.admin, bulk=True, skip_invalid=True)
    timings["re-import csv (unchanged)"] = time.perf_counter() - began
    assert again.counts["unchanged"] == ROWS

    began = time.perf_counter()
    written = LedgerExport(user=city.admin, template=standard_template(), unit="yi").write_xlsx(
        tmp_path / "export.xlsx"
    )
    timings["export xlsx (template)"] = time.perf_counter() - began
    assert written == ROWS

    base = timings["calamine read"]
    for name, seconds in timings.items():
        print(f"{name:28s} {seconds:8.2f}s  {seconds / base:6.1f}× the bare read")
    print(f"peak memory (ru_maxrss)      {peak_mib():8.0f} MiB")

"""Benchmark: exporting the 100,000 projects of the import benchmark's ledger to .xlsx and .csv.

    .venv/bin/pytest -q -s -p no:xdist bench/test_ledger_export.py       # SQLite (or YINLI_DATABASE_URL)
    YINLI_BENCH_ROWS=20000 .venv/bin/pytest -q -s -p no:xdist bench/test_ledger_export.py

The projects are written by the importer itself (bulk mode) from the same generated ledger as
bench/test_ledger_import.py, then exported through the standard template (subtotals by
district, amounts in 亿元) as .xlsx (XlsxWriter, constant memory) and .csv, and the file read
back with python-calamine to count its rows. The export is streamed: peak memory stays flat
(the goal is under 1 GiB for the whole run). Not part of CI (`make bench`).
"""

from __future__ import annotations

import os
import time

import pytest

from bench.test_ledger_import import INDUSTRIES, bare_read, peak_mib, write_csv
from tests import factories
from yinli.ledger.export import LedgerExport, standard_template
from yinli.ledger.importer import commit_import
from yinli.projects.models import Industry, Project

ROWS = int(os.environ.get("YINLI_BENCH_ROWS", "100000"))


@pytest.mark.django_db(transaction=True)
def test_ledger_export_benchmark(tmp_path, settings, bench_timer):
    settings.LEDGER_IMPORT_MAX_ROWS = ROWS + 10
    city = factories.build_city()
    for name, category in INDUSTRIES:
        Industry.objects.get_or_create(name=name, defaults={"category": category})
    source = tmp_path / "ledger.csv"
    write_csv(source, ROWS)
    result = commit_import(path=source, user=city.admin, bulk=True)
    assert result.counts["create"] == ROWS and Project.objects.count() == ROWS

    export = LedgerExport(user=city.admin, template=standard_template(), unit="yi")
    xlsx = tmp_path / "export.xlsx"
    began = time.perf_counter()
    with bench_timer("ledger export xlsx", rows=ROWS):
        written = export.write_xlsx(xlsx)
    seconds_xlsx = time.perf_counter() - began
    assert written == ROWS

    csv_path = tmp_path / "export.csv"
    export = LedgerExport(user=city.admin, template=standard_template(), unit="yi")
    began = time.perf_counter()
    with bench_timer("ledger export csv", rows=ROWS), csv_path.open("w", encoding="utf-8") as out:
        out.writelines(export.csv_lines())
    seconds_csv = time.perf_counter() - began

    began = time.perf_counter()
    cells = bare_read(xlsx)
    seconds_read = time.perf_counter() - began
    assert cells >= ROWS * len(export.columns)

    print(f"\n{ROWS} projects exported through the standard template (subtotals, 亿元)")
    print(
        f"xlsx export                  {seconds_xlsx:8.2f}s  {xlsx.stat().st_size / 1024**2:.1f} MB"
    )
    print(
        f"csv export                   {seconds_csv:8.2f}s  {csv_path.stat().st_size / 1024**2:.1f} MB"
    )
    print(f"calamine read of the xlsx    {seconds_read:8.2f}s")
    print(f"peak memory (ru_maxrss)      {peak_mib():8.0f} MiB")

"""Benchmark (issue 7): the enterprise base at province scale.

    .venv/bin/pytest -p no:xdist -s bench/test_chains.py                       # SQLite, 2,000,000
    .venv/bin/pytest -p no:xdist -s bench/test_chains.py --bench-scale 0.01    # 20,000 rows
    YINLI_DATABASE_URL=postgres://… YINLI_SECRET_KEY=… .venv/bin/pytest -p no:xdist -s bench/test_chains.py
    YINLI_BENCH_XLSX=1 …                                                       # the xlsx file too

Times, on 2,000,000 generated companies (bench/enterprisedata.py): the bulk import of a CSV file
(`yinli chains import`'s core: read, check, match by credit code, COPY / executemany with history
and profiles; on PostgreSQL a file this large drops the trigram indexes of candidate search and
builds them again before the commit, inside the timed import), the classification of the
imported companies onto the chain nodes (two worker processes match the texts; the ranking
basis of each placement is written with it), and a target query for one node
(yinli.chains.targets.rank_targets, limit 50). Goals: import and
classification each ≥ 20,000 companies per second, the target query < 1 s. The rates are
printed and written to bench/out/chains.json with the CPU time of the process and its worker
processes beside the wall clock (on a shared machine the wall clock measures the neighbours
too; the database server's own CPU is not counted); only the target query's budget is
asserted.
"""

from __future__ import annotations

import json
import os
import resource
import time

import pytest
from django.db import connection

from bench.enterprisedata import OUT, enterprise_file
from tests import factories
from yinli.chains.enterprise import classify_imported, import_enterprises
from yinli.chains.models import ChainNode, CompanyNode
from yinli.companies.models import Company

ROWS = 2_000_000


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(function, **kwargs):
    """(result, wall seconds, CPU seconds of this process and of its finished workers)."""
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    result = function(**kwargs)
    used = time.process_time() - cpu + _children_cpu() - children
    return result, time.perf_counter() - wall, used


def _progress(label: str):
    state = {"last": 0.0}

    def report(done, total):
        now = time.perf_counter()
        if now - state["last"] > 30:
            state["last"] = now
            print(f"[bench] {label}: {done}/{total}", flush=True)

    return report


@pytest.mark.django_db(transaction=True)
def test_enterprise_base_at_province_scale(bench_scale, bench_timer):
    rows = max(1000, int(ROWS * bench_scale))
    path = enterprise_file(rows)
    admin = factories.build_city().admin
    figures: dict = {"rows": rows, "engine": connection.vendor}

    with bench_timer("enterprise import (csv)", rows=rows):
        result, wall, cpu = _timed(
            import_enterprises,
            path=path,
            user=admin,
            source="bench",
            progress=_progress("import"),
        )
    assert result.committed and result.counts["created"] == rows, result.summary()["errors"][:3]
    assert Company.objects.count() == rows
    figures["import"] = {
        "seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "rows_per_second": round(rows / wall),
        "rows_per_cpu_second": round(rows / cpu),
    }

    with bench_timer("classification", companies=rows):
        counts, wall, cpu = _timed(
            classify_imported, company_ids=result.company_ids, progress=_progress("classify")
        )
    assert counts["companies"] == rows and counts["placed_companies"] > rows // 2
    figures["classification"] = {
        "seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "companies_per_second": round(rows / wall),
        "companies_per_cpu_second": round(rows / cpu),
        "placements": counts["placements"],
    }

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    node = (
        ChainNode.objects.filter(chain__name="光伏", name="电池片").first()
        or ChainNode.objects.first()
    )
    placed = CompanyNode.objects.filter(node=node).count()
    try:
        from yinli.chains.targets import rank_targets
    except ImportError:  # pragma: no cover - the targets module of issue 7 part 2
        rank_targets = None
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        if rank_targets is not None:
            found = rank_targets(node=node, limit=50)
        else:
            found = list(
                CompanyNode.objects.filter(node=node)
                .select_related("company")
                .order_by("-score")[:50]
            )
        timings.append(time.perf_counter() - began)
    assert len(found) == min(50, placed) or len(found) > 0
    figures["target_query"] = {
        "node": str(node),
        "placed_companies": placed,
        "function": "rank_targets" if rank_targets else "placed companies",
        "first_seconds": round(timings[0], 3),
        "best_seconds": round(min(timings), 3),
    }

    again_rows = min(rows, 200_000)
    if os.environ.get("YINLI_BENCH_XLSX"):
        xlsx = enterprise_file(again_rows, fmt="xlsx", seed=7)
        with bench_timer("enterprise import (xlsx)", rows=again_rows):
            second, wall, cpu = _timed(import_enterprises, path=xlsx, user=admin, source="xlsx")
        assert second.committed
        figures["import_xlsx"] = {
            "rows": again_rows,
            "seconds": round(wall, 1),
            "cpu_seconds": round(cpu, 1),
            "rows_per_second": round(again_rows / wall),
        }

    figures["peak_memory_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print("\n" + json.dumps(figures, ensure_ascii=False, indent=2))
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "chains.json").open("a", encoding="utf-8") as out:
        out.write(json.dumps(figures, ensure_ascii=False) + "\n")
    # Budget: a target list opens while a person waits (issue 7: under 1 s).
    assert min(timings) < 1.0, figures["target_query"]

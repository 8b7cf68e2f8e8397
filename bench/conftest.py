"""Benchmarks: pytest files under bench/, run by `make bench`, never by CI (see bench/README.md).

What this conftest gives a benchmark:

- `from tests import factories` works (the checkout is on sys.path);
- on SQLite the benchmark database is a file (bench/out/bench.sqlite3, WAL like the embedded
  default), not the in-memory database of the test suite, so timings resemble a real laptop;
  YINLI_BENCH_SQLITE=PATH names another file, so that two benchmarks can run side by side
  (each deletes its own file at start);
  on PostgreSQL (YINLI_DATABASE_URL set) pytest-django's usual test database;
- `bench_scale`: the multiplier of generated data sizes (`--bench-scale 0.1` for a quick look,
  default 1);
- `bench_timer`: `with bench_timer("backup", rows=n): …` measures a block, prints it, and appends
  a JSON line to bench/out/timings.jsonl (name, seconds, engine, extra fields, date).
"""

from __future__ import annotations

import glob
import json
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_addoption(parser):
    parser.addoption(
        "--bench-scale",
        type=float,
        default=1.0,
        help="multiply the generated data sizes of the benchmarks (default 1)",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "bench: a benchmark (bench/, `make bench`)")
    from django.conf import settings

    # As in tests/: the personas' passwords need not cost half a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    from django.conf import settings

    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(os.environ.get("YINLI_BENCH_SQLITE") or OUT / "bench.sqlite3").resolve()
        name.parent.mkdir(parents=True, exist_ok=True)
        for path in name.parent.glob(glob.escape(name.name) + "*"):
            path.unlink()
        default.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(scope="session")
def bench_scale(request) -> float:
    return request.config.getoption("--bench-scale")


@pytest.fixture
def bench_timer(request):
    from django.db import connection

    OUT.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def timer(name: str, **extra):
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        record = {
            "test": request.node.nodeid,
            "name": name,
            "seconds": round(seconds, 3),
            "engine": connection.vendor,
            "at": datetime.now().isoformat(timespec="seconds"),
            **extra,
        }
        with (OUT / "timings.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"\n[bench] {name}: {seconds:.3f}s {extra or ''}", file=sys.stderr)

    return timer

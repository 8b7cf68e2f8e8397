"""Generated enterprise-base files for bench/test_chains.py (issue 7).

The rows are the demo's (yinli.demo.enterprises.enterprise_rows: invented companies in every
county of China, 70 % on a chain node, real adcodes in the credit codes), so the benchmark reads
what a vendor's list looks like. A file is written once per (rows, seed, format) under bench/out/
and reused by later runs — generating two million rows takes minutes, and both databases read
the same file.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from yinli.demo.enterprises import HEADER, enterprise_rows

OUT = Path(__file__).resolve().parent / "out"
SEED = 20250810


def enterprise_file(rows: int, *, fmt: str = "csv", seed: int = SEED) -> Path:
    """bench/out/enterprises-ROWS-SEED.FMT, generated if missing (a .part file while written)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"enterprises-{rows}-{seed}.{fmt}"
    if path.exists():
        return path
    part = path.with_suffix(f".part.{fmt}")
    began = time.perf_counter()
    generated = enterprise_rows(rows, seed=seed)
    if fmt == "csv":
        with part.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(generated)
    elif fmt == "xlsx":
        import xlsxwriter

        book = xlsxwriter.Workbook(str(part), {"constant_memory": True})
        sheet = book.add_worksheet("企业名录")
        sheet.write_row(0, 0, HEADER)
        for number, row in enumerate(generated, start=1):
            sheet.write_row(number, 0, row)
        book.close()
    else:
        raise ValueError(fmt)
    part.rename(path)
    print(
        f"\n[bench] generated {rows} companies as {fmt} in {time.perf_counter() - began:.0f}s "
        f"({path.stat().st_size / 1024**2:.0f} MB)"
    )
    return path

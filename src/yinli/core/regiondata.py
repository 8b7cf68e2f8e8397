"""Region reference data shipped with Yinli, read as plain dicts (no database, no models).

The files in ``data/`` are built by ``scripts/build_regions.py`` from registry packages;
``data/SOURCES.md`` says where each one comes from.

- :func:`read_regions_cn`, :func:`read_countries`, :func:`read_foreign_cities`,
  :func:`read_region_groups` return the rows of each file as they are stored.
- :func:`iter_region_records` yields one dict per region in the shape of the ``Region``
  model (see :data:`RECORD_KEYS`), parents before children.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

RECORD_KEYS = (
    "code",
    "kind",
    "name",
    "short_name",
    "parent_code",
    "country",
    "lng",
    "lat",
    "valid_from",
    "valid_to",
    "former_names",
    "aliases",
)
KINDS = ("province", "city", "county", "country", "foreign_city")
LEVELS = ("province", "city", "county")

# ISO 3166-1 codes that are part of China: they resolve to these province-level regions
# and are never treated as foreign countries.
ISO2_TO_REGION = {"HK": "810000", "MO": "820000", "TW": "710000"}
REGION_TO_ISO2 = {v: k for k, v in ISO2_TO_REGION.items()}

# Everyday names the data sets do not carry (our own table).
EXTRA_CN_ALIASES = {
    "150000": ["内蒙"],
    "150100": ["呼市"],
}
SEP = "|"


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _regions_cn() -> tuple[dict[str, str], ...]:
    return tuple(_read_csv("regions_cn.csv"))


@cache
def _countries() -> tuple[dict[str, str], ...]:
    return tuple(_read_csv("countries.csv"))


@cache
def _foreign_cities() -> tuple[dict[str, str], ...]:
    return tuple(_read_csv("foreign_cities.csv"))


def read_regions_cn() -> list[dict[str, str]]:
    """Rows of ``regions_cn.csv`` (all values strings; empty string for none)."""
    return [dict(r) for r in _regions_cn()]


def read_countries() -> list[dict[str, str]]:
    """Rows of ``countries.csv``: ISO 3166-1, including CN, HK, MO and TW."""
    return [dict(r) for r in _countries()]


def read_foreign_cities() -> list[dict[str, str]]:
    """Rows of ``foreign_cities.csv``."""
    return [dict(r) for r in _foreign_cities()]


def read_region_groups() -> list[dict]:
    """The default region groups: ``[{"name", "short_name", "members": [codes], "note"}]``."""
    return json.loads((DATA_DIR / "region_groups.json").read_text(encoding="utf-8"))


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value else None


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _join(*parts: list[str] | str) -> str:
    out: list[str] = []
    for part in parts:
        for item in part.split(SEP) if isinstance(part, str) else part:
            if item and item not in out:
                out.append(item)
    return SEP.join(out)


def _cn_aliases(row: dict[str, str], country_row: dict[str, str] | None) -> str:
    aliases: list[str] = list(EXTRA_CN_ALIASES.get(row["code"], []))
    name, short = row["name"], row["short_name"]
    if name.endswith("自治州") and short != name:
        aliases.append(short + "州")  # 恩施州, 黔南州
    if country_row is not None:  # 香港: 中国香港, Hong Kong …
        aliases += [country_row["name_zh"], *country_row["aliases"].split(SEP)]
        aliases.append(country_row["name_en"])
    return _join([a for a in aliases if a and a not in (name, short)])


def iter_region_records() -> Iterator[dict]:
    """Every region as a dict with exactly :data:`RECORD_KEYS`, parents before children.

    Order: countries (CN first; HK, MO and TW are not countries here — they are the
    province-level regions 810000, 820000, 710000), then China's provinces, cities and
    counties (current and former), then foreign cities (parent = their country).
    ``lng``/``lat`` are Decimals, ``valid_from``/``valid_to`` dates or None,
    ``former_names``/``aliases`` ``|``-separated text ("" for none).
    """
    countries = _countries()
    by_iso = {c["code"]: c for c in countries}
    ordered = sorted(countries, key=lambda c: (c["code"] != "CN", c["code"]))
    for c in ordered:
        if c["code"] in ISO2_TO_REGION:
            continue
        yield {
            "code": c["code"],
            "kind": "country",
            "name": c["name_zh"],
            "short_name": c["name_zh"],
            "parent_code": None,
            "country": c["code"],
            "lng": _decimal(c["lng"]),
            "lat": _decimal(c["lat"]),
            "valid_from": None,
            "valid_to": None,
            "former_names": "",
            "aliases": _join(c["aliases"], [c["name_en"]]),
        }
    rank = {level: i for i, level in enumerate(LEVELS)}
    for r in sorted(_regions_cn(), key=lambda r: (rank[r["level"]], r["code"])):
        iso = REGION_TO_ISO2.get(r["code"])
        yield {
            "code": r["code"],
            "kind": r["level"],
            "name": r["name"],
            "short_name": r["short_name"],
            "parent_code": r["parent_code"] or None,
            "country": "CN",
            "lng": _decimal(r["lng"]),
            "lat": _decimal(r["lat"]),
            "valid_from": _date(r["valid_from"]),
            "valid_to": _date(r["valid_to"]),
            "former_names": r["former_names"],
            "aliases": _cn_aliases(r, by_iso.get(iso) if iso else None),
        }
    for fc in _foreign_cities():
        yield {
            "code": fc["code"],
            "kind": "foreign_city",
            "name": fc["name_zh"],
            "short_name": fc["name_zh"],
            "parent_code": fc["country"],
            "country": fc["country"],
            "lng": _decimal(fc["lng"]),
            "lat": _decimal(fc["lat"]),
            "valid_from": None,
            "valid_to": None,
            "former_names": "",
            "aliases": _join(fc["aliases"], [fc["name_en"]]),
        }

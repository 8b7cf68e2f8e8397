"""The enterprise base (企业库): company lists as data vendors and registries export them.

    result = import_enterprises(path="江苏企业名录.csv", user=analyst, source="省市场监管局")
    result = import_enterprises(..., skip_invalid=True)     # the valid rows only
    result = import_enterprises(..., classify=True)         # then place them on chain nodes

A file (.csv in UTF-8 or GBK, .xlsx, .xls, .ods; read by the ledger's reader, streamed) holds one
company a row under a header naming columns such as 企业名称, 统一社会信用代码, 法定代表人,
注册资本, 成立日期, 登记状态, 所属省份/所属城市/所属区县, 企业类型, 国标行业, 参保人数, 经营范围,
企业地址 (the variants vendors use are in :data:`COLUMN_SYNONYMS`).

Matching, strongest first: the 统一社会信用代码 against the registry; then, for a row whose code
the registry does not hold (or that has none), the normalized name of a company that has no
code yet (the code is then filled in). A matched company takes the file's value of every field
the file fills and that differs (the registry is the authority for these fields; a blank cell
never empties a field); its region changes unless the file names a wider place that holds it.
A row that matches nothing creates a company. A row whose values equal the company's is
*unchanged*: importing a file twice changes nothing the second time. A code that appears twice
in a file: the later row updates what the earlier one wrote.

Writes are bulk, never one ORM save a row: rows are read, checked and written
:data:`CHUNK_SIZE` at a time — COPY on PostgreSQL, ``executemany`` on SQLite — with a change
("~") record in the company history for each company changed (by the importing user, reason
"企业库导入"; a company created has no creation record until it first changes — its row is
that record, see :mod:`yinli.companies.records`), and a
:class:`~yinli.chains.models.CompanyProfile` row holding the
enterprise type, the region of the export, the source and the time of the import. Without
``skip_invalid`` the import is all or nothing: it runs in one transaction, stops writing at the
first bad row, goes on checking to report every bad row, and rolls back. With ``skip_invalid``
each chunk commits on its own and bad rows are left out (and reported).

A large file (:data:`PARALLEL_FROM` rows) is converted by :data:`WORKERS` forked processes
that send the writer tuples of database-ready values (:data:`ROW_FIELDS`), not dicts. A large
all-or-nothing import also (a) sets aside the secondary indexes of the company, company
history and profile tables — each table the file holds at least a fifth of — and, on
PostgreSQL, the foreign keys between them, building them once before the commit
(:func:`yinli.core.bulkload.set_aside_indexes`; the indexes the matching reads — credit
codes, a unique one, and normalized names — go too and come back the first time the import
looks a key up, which a province's list of new companies makes happen only at the end);
(b) on PostgreSQL drops and rebuilds candidate search's trigram indexes
(:func:`_suspend_search_index`); on SQLite writes candidate search's FTS rows once at the end
(:func:`_search_rows_at_end`); (c) reads the registry's keys once (:class:`_Known`). Either
way the company table is held for the import's duration: SQLite's write lock, PostgreSQL's
ACCESS EXCLUSIVE lock of the dropped indexes (pages that read companies wait for the commit).

Classification (``classify=True`` or :func:`classify_imported`) places the companies the import
created or changed on the chain nodes, with the rules of :mod:`yinli.chains.classify` and the
review rules of :func:`yinli.chains.services.classify_companies` (reviewed rows stay), written in
bulk the same way.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import functools
import itertools
import json
import multiprocessing
import os
import re
import time
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import mul
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypinyin import Style, lazy_pinyin

from yinli.companies.models import Company, Ownership
from yinli.companies.records import CREATION_REASON, record_creations
from yinli.companies.uscc import ALPHABET, REGISTRATION_KINDS, validate_uscc
from yinli.core.bulkload import bring_back, page_cache, set_aside_indexes, worth_setting_aside
from yinli.core.gcpause import gc_paused
from yinli.core.models import Region
from yinli.core.names import normalize_company_name
from yinli.core.parsing import BLANK_MARKERS, parse_amount, parse_date
from yinli.core.services import PermissionDeniedError
from yinli.ledger import csvblocks
from yinli.ledger.convert import Problem, shown
from yinli.ledger.mapping import column_letter, header_key, header_unit
from yinli.ledger.reader import (
    HEADER_SEARCH_ROWS,
    LedgerFileError,
    Limits,
    detect_encoding,
    filled,
    raw_rows,
)

from .classify import Classifier, company_text
from .models import ChainNode, CompanyNode, CompanyProfile, Decision, IndustryClass, Source

CHUNK_SIZE = 5000
# Files of this many rows or more are converted by WORKERS processes beside the writer.
PARALLEL_FROM = 50_000
WORKERS = 2
# A large CSV file without quotes is read by the workers in byte ranges of about RANGE_BYTES,
# this many ranges ahead each (see _converted_ranges).
RANGE_BYTES = 1 << 20
RANGES_AHEAD = 8
# An all-or-nothing import of this many rows or more on PostgreSQL rebuilds the trigram indexes
# of candidate search instead of updating them row by row (see _suspend_search_index).
REBUILD_INDEX_FROM = 100_000
REBUILD_INDEX_MEMORY = "256MB"
# An import that keeps other writers out reads the registry's keys once (instead of looking
# each row up) when the registry holds at most this many times the file's rows (see _Known).
KNOWN_FROM_SHARE = 4
# On SQLite, a chunk of this many new companies or more fills candidate search's FTS table in
# one statement, its insert trigger dropped meanwhile (a schema change: other connections of a
# shared-cache database — the tests' in-memory one — wait for the commit to prepare anything).
SQLITE_FTS_BULK_FROM = 1000
# An all-or-nothing import of this many rows or more on SQLite fills that FTS table once, at the
# end (see _search_rows_at_end).
SQLITE_FTS_AT_END_FROM = 50_000
# An all-or-nothing import of BULK_FROM rows or more sets aside the secondary indexes (on
# PostgreSQL also the foreign keys between them) of the tables it fills — each table where the
# file holds at least a fifth of its rows — and builds them once at the end
# (yinli.core.bulkload).
BULK_TABLES = (Company, Company.history.model, CompanyProfile)
# The company columns the matching looks up; their indexes go too and come back before the
# first look-up (which a list of new companies makes happen only at the end, see _Known):
# kept up row by row, the two cost a third of the company inserts at 2,000,000 rows on SQLite.
BULK_LOOKUPS = ("uscc", "name_normalized")


CLASSIFY_CHUNK = 5000
# Classifications of this many companies or more match the texts in WORKERS processes.
CLASSIFY_PARALLEL_FROM = 50_000
MAX_LISTED = 1000  # errors (and warnings) listed in a result; all are counted
HISTORY_REASON = CREATION_REASON  # "企业库导入"

# field → the header words that name it (the first is the canonical header).
COLUMN_SYNONYMS: dict[str, list[str]] = {
    "name": ["企业名称", "公司名称", "企业全称", "名称", "市场主体名称", "单位名称", "企业名"],
    "uscc": ["统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "统一代码"],
    "legal_representative": ["法定代表人", "法人代表", "法定代表", "法人", "负责人", "经营者"],
    "registered_capital": ["注册资本", "注册资金", "注册资本金"],
    "established_on": ["成立日期", "成立时间", "注册日期", "注册时间", "设立日期", "成立年月"],
    "registration_status": ["登记状态", "经营状态", "企业状态", "存续状态", "状态"],
    "province": ["所属省份", "省份", "所在省份", "所属省", "省"],
    "city": ["所属城市", "城市", "所在城市", "所属地市", "地市", "所属市", "市"],
    "county": ["所属区县", "区县", "所在区县", "县区", "所属县区", "区", "县"],
    "place": ["所属地区", "所在地区", "地区", "注册地", "所在地", "登记机关所在地"],
    "enterprise_type": ["企业类型", "公司类型", "企业机构类型", "市场主体类型", "企业性质", "类型"],
    "industry": [
        "国标行业",
        "所属行业",
        "行业",
        "行业分类",
        "国民经济行业",
        "行业代码",
        "国民经济行业分类",
        "行业门类",
    ],
    "insured_staff": ["参保人数", "社保人数", "参保人员数", "参保人员", "缴纳社保人数"],
    "business_scope": ["经营范围", "主营业务", "业务范围"],
    "address": ["企业地址", "注册地址", "地址", "住所", "通信地址", "经营地址", "办公地址"],
}

FIELD_LABELS: dict[str, Any] = {
    "name": gettext_lazy("company name"),
    "uscc": gettext_lazy("credit code"),
    "legal_representative": gettext_lazy("legal representative"),
    "registered_capital": gettext_lazy("registered capital"),
    "established_on": gettext_lazy("established on"),
    "registration_status": gettext_lazy("registration status"),
    "province": gettext_lazy("province"),
    "city": gettext_lazy("city"),
    "county": gettext_lazy("county"),
    "place": gettext_lazy("place"),
    "enterprise_type": gettext_lazy("enterprise type"),
    "industry": gettext_lazy("industry (GB/T 4754)"),
    "insured_staff": gettext_lazy("insured staff"),
    "business_scope": gettext_lazy("business scope"),
    "address": gettext_lazy("address"),
}

_WORDS: list[tuple[str, str]] = sorted(
    ((word, fld) for fld, words in COLUMN_SYNONYMS.items() for word in words),
    key=lambda pair: len(pair[0]),
    reverse=True,
)
_EXACT = {word: fld for word, fld in _WORDS}
_REGION_FIELDS = ("province", "city", "county", "place")
TEXT_LIMITS = {
    "name": 200,
    "legal_representative": 64,
    "registration_status": 32,
    "enterprise_type": 64,
    "address": 300,
}
# Registry fields of a company the file may fill or change (compared and written as they are).
REGISTRY_FIELDS = (
    "name",
    "legal_representative",
    "registered_capital",
    "established_on",
    "registration_status",
    "industry_code",
    "insured_staff",
    "business_scope",
    "address",
)


def field_for_header(text: object) -> str | None:
    """The enterprise-base field a header names: exact synonym first, else the longest synonym
    (of two characters or more) the header contains."""
    key = header_key(text)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for word, fld in _WORDS:
        if len(word) >= 2 and word in key:
            return fld
    return None


@dataclass
class EnterpriseColumn:
    index: int
    header: str
    field: str | None
    unit: str | None = None

    @property
    def letter(self) -> str:
        return column_letter(self.index)


def map_header(cells: list) -> list[EnterpriseColumn]:
    columns, taken = [], set()
    for index, value in enumerate(cells):
        header = " ".join(shown(value).split())
        if not header:
            continue
        fld = field_for_header(header)
        if fld in taken:
            fld = None
        if fld:
            taken.add(fld)
        unit = header_unit(header) if fld == "registered_capital" else None
        columns.append(EnterpriseColumn(index=index, header=header, field=fld, unit=unit))
    return columns


# -- results ---------------------------------------------------------------------------------


@dataclass
class EnterpriseImport:
    """What an import did (or, when it stopped, would have done)."""

    file_name: str
    source: str = ""
    format: str = ""
    header_row: int | None = None
    columns: list[EnterpriseColumn] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "rows": 0,
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "merged": 0,
            "error_rows": 0,
            "warnings": 0,
        }
    )
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    committed: bool = False
    skip_invalid: bool = False
    imported_at: datetime.datetime | None = None
    seconds: float = 0.0
    classification: dict[str, Any] | None = None
    # Primary keys of the companies created or changed (for the classification that follows).
    company_ids: array = field(default_factory=lambda: array("q"))

    @property
    def ok(self) -> bool:
        return self.committed

    def error(self, problem: Problem) -> None:
        if len(self.errors) < MAX_LISTED:
            self.errors.append(problem)

    def warn(self, problem: Problem) -> None:
        self.counts["warnings"] += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(problem)

    def summary(self) -> dict[str, Any]:
        """The JSON summary of the command line (and the page)."""
        done = self.committed
        rows = self.counts["rows"]
        return {
            "file": self.file_name,
            "source": self.source,
            "format": self.format,
            "header_row": self.header_row,
            "columns": [
                {"header": c.header, "column": c.letter, "field": c.field} for c in self.columns
            ],
            "committed": done,
            "rows": rows,
            "created": self.counts["created"] if done else 0,
            "updated": self.counts["updated"] if done else 0,
            "unchanged": self.counts["unchanged"],
            "merged": self.counts["merged"],
            "skipped": self.counts["error_rows"] if done else 0,
            "error_rows": self.counts["error_rows"],
            "errors": [p.as_dict() for p in self.errors],
            "warning_count": self.counts["warnings"],
            "warnings": [p.as_dict() for p in self.warnings],
            "imported_at": self.imported_at.isoformat() if self.imported_at else None,
            "seconds": round(self.seconds, 2),
            "rows_per_second": round(rows / self.seconds) if self.seconds else 0,
            "classification": self.classification,
        }


# -- cell values -----------------------------------------------------------------------------

_USCC_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
_USCC_VALUES = {char: position for position, char in enumerate(ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# GB 11714 values: digits as themselves, letters A=10 … Z=35.
_ORG_VALUES = {c: (int(c) if c.isdigit() else ord(c) - 55) for c in ALPHABET}


def quick_uscc(text: str) -> str | None:
    """A credit code already in canonical form that passes every check of
    :func:`~yinli.companies.uscc.validate_uscc`, else None (then validate_uscc decides and
    words the error). The bulk path's shortcut: the same checks without the text clean-up."""
    if not _USCC_SHAPE.fullmatch(text) or not text[2:8].isdigit():
        return None
    if text[1] not in REGISTRATION_KINDS.get(text[0], ()):
        return None
    total = sum(map(mul, map(_USCC_VALUES.__getitem__, text[:17]), _USCC_WEIGHTS))
    if ALPHABET[(31 - total % 31) % 31] != text[17]:
        return None
    org = sum(map(mul, map(_ORG_VALUES.__getitem__, text[8:16]), _ORG_WEIGHTS))
    check = 11 - org % 11
    if {10: "X", 11: "0"}.get(check, str(check)) != text[16]:
        return None
    return text


_PLAIN_NUMBER = re.compile(r"(\d+(?:\.\d+)?)(万元人民币|万人民币|万元|万)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STAFF = re.compile(r"(\d+)(?:人)?")
_CAPITAL_QUANTUM = Decimal("0.0001")
_CAPITAL_LIMIT = Decimal(10) ** 14
_INDUSTRY_CODE = re.compile(r"^([A-Ta-t])?\s*(\d{2,4})(?!\d)")
_INDUSTRY_PATH = re.compile(r"[-—>/|·\s]+")

_INITIALS: dict[str, str] = {}
_LONGEST_BLANK_MARKER = max(len(marker) for marker in BLANK_MARKERS)


def name_initials(normalized: str) -> str:
    """Pinyin initials of a normalized name, a character at a time (cached per character): the
    bulk path's stand-in for :func:`yinli.core.names.pinyin_initials`, which reads whole
    phrases and costs ten times as much."""
    out = []
    for char in normalized:
        initial = _INITIALS.get(char)
        if initial is None:
            initial = "".join(lazy_pinyin(char, style=Style.FIRST_LETTER)).lower()
            _INITIALS[char] = initial
        out.append(initial)
    return "".join(out)[:200]


_BLANKS: dict[str, bool] = {}  # short texts → whether they are blank (they recur: 存续, 无, -)


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        if len(value) > _LONGEST_BLANK_MARKER + 4:
            return False
        if (
            value == value.strip()
            and value == value.lower()
            and unicodedata.is_normalized("NFKC", value)
        ):
            # Already trimmed, lower case and NFKC (most short texts: a person's name): the
            # marker test needs no clean-up (and no room in _BLANKS).
            return value in BLANK_MARKERS
        blank = _BLANKS.get(value)
        if blank is None:
            text = value.strip()
            blank = not text or unicodedata.normalize("NFKC", text).lower() in BLANK_MARKERS
            if len(_BLANKS) < 100_000:
                _BLANKS[value] = blank
        return blank
    return isinstance(value, float) and value != value


def _text(value: object) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    return " ".join(shown(value).split())


def ownership_for(enterprise_type: str) -> str:
    """A new company's ownership as its 企业类型 tells it (a person refines it later)."""
    if not enterprise_type:
        return Ownership.PRIVATE
    if "港" in enterprise_type or "澳" in enterprise_type or "台" in enterprise_type:
        return Ownership.HMT
    if any(word in enterprise_type for word in ("外商", "外国", "外资", "中外")):
        return Ownership.FOREIGN
    if "国有" in enterprise_type or "国资" in enterprise_type:
        return Ownership.LOCAL_SOE
    return Ownership.PRIVATE


class _Reference:
    """What the conversion of a file looks up, loaded once: regions, industry classes, rates."""

    def __init__(self) -> None:
        from yinli.core.regionlookup import default_index

        self.index = default_index()
        self.region_ids: dict[str, int] = {}
        # region id → (itself, its city, its province): the places that hold it.
        self.holders: dict[int, tuple[int, ...]] = {}
        for pk, code, city_id, province_id in Region.objects.values_list(
            "pk", "code", "city_id", "province_id"
        ):
            self.region_ids[code] = pk
            self.holders[pk] = tuple(x for x in (pk, city_id, province_id) if x)
        self._places: dict[tuple, int | ValidationError] = {}
        self.sections: dict[str, str] = {}
        self.class_names: dict[str, str] = {}
        codes = {}
        for code, parent, name in IndustryClass.objects.values_list("code", "parent__code", "name"):
            codes[code] = parent
            self.class_names.setdefault(name, code)
        for code in codes:
            if code.isdigit():
                top = code
                while codes.get(top):
                    top = codes[top]
                if top.isalpha():
                    self.sections[code[:2]] = top
        from yinli.stats.models import ConversionRate

        self.rates: dict[str, Decimal] = {}
        for currency, rate in ConversionRate.objects.order_by("currency", "-month").values_list(
            "currency", "rate"
        ):
            self.rates.setdefault(currency, rate)

    def region(self, parts: tuple[str, ...]) -> int | None:
        """The region a row's 省/市/区县 (or free place) names; raises ValidationError."""
        found = self._places.get(parts)
        if found is None:
            found = self._resolve(parts)
            self._places[parts] = found
        if isinstance(found, ValidationError):
            raise found
        return found

    def _resolve(self, parts: tuple[str, ...]) -> int | ValidationError:
        province, city, county, place = parts
        pieces: list[str] = []
        for piece in (province, city, county):
            if (
                piece
                and piece not in pieces
                and piece not in ("市辖区", "县", "省直辖县级行政区划")
            ):
                pieces.append(piece)
        attempts = []
        if pieces:
            attempts.append("".join(pieces))
            if len(pieces) > 1:
                attempts.append("".join(pieces[1:]))
        if place:
            attempts.append(place)
        text = "".join(pieces) or place
        for attempt in attempts:
            result = self.index.lookup(attempt)
            if result.code and result.code in self.region_ids:
                return self.region_ids[result.code]
        shown_text = " / ".join(p for p in (province, city, county, place) if p)
        return ValidationError(
            _('"%(text)s" is no region Yinli knows.') % {"text": shown_text or text},
            code="unknown_region",
        )

    def industry(self, value: object) -> tuple[str, bool]:
        """(the GB/T 4754 code as registries write it, e.g. C3841, or "", whether it was
        understood). A code is taken as written once its division exists; a name is looked up
        in the project's table, the most specific part of a 门类-大类-中类-小类 path first."""
        return _industry(self, _text(value))


def _industry(ref: _Reference, text: str) -> tuple[str, bool]:
    cache = ref.__dict__.setdefault("_industry_cache", {})
    if text in cache:
        return cache[text]
    result: tuple[str, bool] = ("", False)
    match = _INDUSTRY_CODE.match(unicodedata.normalize("NFKC", text))
    if match:
        digits = match.group(2)
        section = ref.sections.get(digits[:2])
        if section:
            result = (section + digits, True)
    else:
        parts = [p for p in _INDUSTRY_PATH.split(text) if p]
        for part in reversed(parts):
            code = ref.class_names.get(part)
            if code:
                if code.isdigit():
                    code = ref.sections.get(code[:2], "") + code
                result = (code, True)
                break
    if len(cache) < 100_000:
        cache[text] = result
    return result


# The columns whose texts recur within a file (a status, a date, an amount, a type): each
# converted once (see _Converter.convert), up to MEMO_LIMIT texts a column.
_RECURRING = frozenset(
    {
        "registered_capital",
        "established_on",
        "insured_staff",
        "industry",
        "registration_status",
        "enterprise_type",
    }
)
MEMO_LIMIT = 50_000
# Clean blocks converted a column at a time (_clean_rows); False: a row at a time.
COLUMNWISE = True
_NOTHING: tuple[None, None, str, str] = (None, None, "", "")


class _Converter:
    """One row of cells → the values of a company, or the problems that stop it."""

    def __init__(self, columns: list[EnterpriseColumn], ref: _Reference):
        self.ref = ref
        self.columns = [c for c in columns if c.field]
        self.by_field = {c.field: c for c in self.columns}
        self.capital_unit = (
            self.by_field["registered_capital"].unit or "万元"
            if "registered_capital" in self.by_field
            else "万元"
        )
        self.plain_capital = self.capital_unit == "万元"
        self.region_columns = [self.by_field.get(f) for f in _REGION_FIELDS]
        self.has_region = any(self.region_columns)
        self.region_indexes = [c.index if c is not None else 1 << 30 for c in self.region_columns]
        self._regions: dict[tuple, tuple] = {}
        # (index, column, field, memo) of each column but the region's: memo, a dict of the
        # column's texts already converted, for the columns whose values recur.
        self._cells = [
            (c.index, c, c.field, {} if c.field in _RECURRING else None)
            for c in self.columns
            if c.field not in _REGION_FIELDS
        ]
        # The rows' cells a block converted a column at a time reads (see _clean_rows), and the
        # recurring columns' texts as the rows store them.
        self.width = max((c.index for c in self.columns), default=-1) + 1
        self._stored: dict[str, dict] = {c.field: {} for c in self.columns if c.field in _RECURRING}

    def _problem(self, number: int, column: EnterpriseColumn, value: object, message: str):
        return Problem(
            row=number,
            column=column.header,
            value=shown(value)[:200],
            message=str(message),
            cell=f"{column.letter}{number}",
        )

    def convert(self, number: int, cells: list) -> tuple[dict | None, list[Problem], list[Problem]]:
        values: dict[str, Any] = {"row": number}
        problems: list[Problem] = []
        warnings: list[Problem] = []
        width = len(cells)
        cell = self._cell
        for index, column, fld, memo in self._cells:
            raw = cells[index] if index < width else None
            if raw is None or raw == "":
                continue
            if memo is None:
                if fld == "business_scope" and type(raw) is str:
                    if len(raw) > _LONGEST_BLANK_MARKER + 4:  # not blank
                        values[fld] = raw.strip()
                        continue
                out = cell(fld, raw)
            elif type(raw) is str:
                # A text that recurs (a status, a date, an amount): converted once. Other
                # types are not kept: 1, 1.0 and True would share a key.
                out = memo.get(raw)
                if out is None:
                    out = cell(fld, raw)
                    if len(memo) < MEMO_LIMIT:
                        memo[raw] = out
            else:
                out = cell(fld, raw)
            target, value, warning, error = out
            if target is not None:
                values[target] = value
            if warning:
                warnings.append(self._problem(number, column, raw, warning))
            if error:
                problems.append(self._problem(number, column, raw, error))
        if "name" not in values:
            column = self.by_field["name"]
            problems.append(self._problem(number, column, "", _("The company name is empty.")))
        if self.has_region:
            # The same few places recur: their cells as read → the region (or the error).
            raw = tuple(cells[i] if i < width else None for i in self.region_indexes)
            found = self._regions.get(raw)
            if found is None:
                found = self._region(cells, width)
                if len(self._regions) < 100_000:
                    self._regions[raw] = found
            parts, region = found
            if isinstance(region, ValidationError):
                column = next(c for c in self.region_columns if c is not None)
                problems.append(
                    self._problem(
                        number, column, " / ".join(p for p in parts if p), region.messages[0]
                    )
                )
            elif region is not None:
                values["region_id"] = region
        if problems:
            return None, problems, warnings
        return values, problems, warnings

    def _cell(self, fld: str, raw: object) -> tuple[str | None, Any, str, str]:
        """One non-empty cell of a column (not a region's): (the field it fills or None, the
        value, a warning or "", an error or ""). A function of the cell alone, so that the
        cells that recur are converted once (see convert)."""
        if _is_blank(raw):
            return _NOTHING
        try:
            if fld == "uscc":
                text = raw if isinstance(raw, str) else shown(raw)
                return "uscc", quick_uscc(text) or validate_uscc(text), "", ""
            if fld == "registered_capital":
                capital, note = self._capital(raw)
                return ("registered_capital" if capital is not None else None), capital, note, ""
            if fld == "established_on":
                return "established_on", self._date(raw), "", ""
            if fld == "insured_staff":
                return "insured_staff", self._staff(raw), "", ""
            if fld == "industry":
                code, understood = self.ref.industry(raw)
                warning = (
                    ""
                    if understood
                    else _(
                        '"%(text)s" is no GB/T 4754 industry Yinli knows; the '
                        "industry code is left empty."
                    )
                    % {"text": _text(raw)}
                )
                return ("industry_code" if code else None), code, warning, ""
            if fld == "business_scope":
                return fld, (raw.strip() if isinstance(raw, str) else _text(raw)), "", ""
            text = _text(raw)
            limit = TEXT_LIMITS.get(fld)
            if limit and len(text) > limit:
                raise ValidationError(
                    _("%(count)s characters; at most %(limit)s fit.")
                    % {"count": len(text), "limit": limit}
                )
            return fld, text, "", ""
        except ValidationError as exc:
            return None, None, "", " ".join(str(m) for m in exc.messages)

    def _region(self, cells: list, width: int) -> tuple[tuple, int | ValidationError | None]:
        """(the row's 省/市/区县/place texts, the region they name — or the error — or None when
        they are all blank)."""
        parts = tuple(
            ""
            if c is None or c.index >= width or _is_blank(cells[c.index])
            else _text(cells[c.index])
            for c in self.region_columns
        )
        if not any(parts):
            return parts, None
        try:
            return parts, self.ref.region(parts)
        except ValidationError as exc:
            return parts, exc

    def _capital(self, raw: object) -> tuple[Decimal | None, str]:
        if self.plain_capital and isinstance(raw, str):
            text = raw.replace(",", "").replace(" ", "")
            match = _PLAIN_NUMBER.fullmatch(text)
            if match:
                return self._fits(Decimal(match.group(1))), ""
        if self.plain_capital and isinstance(raw, int | float) and not isinstance(raw, bool):
            return self._fits(Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)), ""
        amount = parse_amount(raw, default_unit=self.capital_unit)
        if amount.currency == "CNY":
            return self._fits(amount.value), ""
        rate = self.ref.rates.get(amount.currency)
        if rate is None:
            return None, _(
                "No conversion rate for %(currency)s: the registered capital is left empty."
            ) % {"currency": amount.currency}
        return self._fits(amount.value * rate), ""

    def _fits(self, value: Decimal) -> Decimal:
        if value >= _CAPITAL_LIMIT:
            raise ValidationError(_("The registered capital is too large to be true."))
        return value.quantize(_CAPITAL_QUANTUM, rounding=ROUND_HALF_UP)

    def _date(self, raw: object) -> datetime.date:
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        if isinstance(raw, str) and _ISO_DATE.fullmatch(raw):
            try:
                return datetime.date.fromisoformat(raw)
            except ValueError:
                pass
        return parse_date(raw, allow_month=True, allow_year=True).date

    def _staff(self, raw: object) -> int:
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        if isinstance(raw, float) and raw.is_integer() and raw >= 0:
            return int(raw)
        if isinstance(raw, str):
            match = _STAFF.fullmatch(unicodedata.normalize("NFKC", raw).replace(" ", ""))
            if match:
                return int(match.group(1))
        raise ValidationError(
            _('"%(text)s" is not a number of people.') % {"text": shown(raw)}, code="invalid"
        )


# -- bulk writes -----------------------------------------------------------------------------


def _json_adapter(json_field) -> Callable:
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb
    import json

    return lambda value: json.dumps(value, ensure_ascii=False)


class _BulkTable:
    """Rows into one table without model instances: COPY on PostgreSQL, ``executemany`` on
    SQLite. Rows are tuples in the order of ``attnames``; with ``with_ids`` the caller's
    primary keys come first (see :meth:`new_ids`)."""

    def __init__(self, model: type[models.Model], attnames: Sequence[str], *, with_ids: bool):
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        self.pk_column = meta.pk.column
        fields = {f.attname: f for f in meta.concrete_fields}
        names = ([meta.pk.attname] if with_ids else []) + list(attnames)
        # Columns the caller leaves out take their field's default (a column added later by
        # a migration must not break the bulk path).
        self.rest = [
            f for f in meta.concrete_fields if f.attname not in names and not f.primary_key
        ]
        names += [f.attname for f in self.rest]
        self.columns = [fields[name].column for name in names]
        quote = connection.ops.quote_name
        self.column_sql = ", ".join(quote(c) for c in self.columns)
        self.postgres = connection.vendor == "postgresql"
        # SQLite stores datetimes as naive text: adapt them as Django does. Dates and decimals
        # need nothing here: Django registers the sqlite3 module's adapters for them (text, as
        # adapt_datefield_value and str give).
        self.adapters: list[Callable | None] = []
        ops = connection.ops
        for name in names:
            kind = fields[name].get_internal_type()
            if kind == "JSONField":
                self.adapters.append(_json_adapter(fields[name]))
            elif self.postgres:
                self.adapters.append(None)
            elif kind == "DateTimeField":
                self.adapters.append(ops.adapt_datetimefield_value)
            else:
                self.adapters.append(None)
        self.adapted = [i for i, a in enumerate(self.adapters) if a is not None]

    def new_ids(self, count: int, *, exclusive: bool = False) -> list[int]:
        """Primary keys for ``count`` new rows: from the sequence on PostgreSQL; after the
        highest key ever given on SQLite (the import holds SQLite's write lock meanwhile).

        On PostgreSQL, ``exclusive`` (this transaction holds the table's ACCESS EXCLUSIVE
        lock) takes the keys as one block with a single setval instead of a nextval each:
        every other taker of the sequence — an INSERT, or another import's new_ids, which
        first asks for a lock the exclusive one excludes — waits for the commit."""
        if not count:
            return []
        with connection.cursor() as cursor:
            if self.postgres and exclusive:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), "
                    "nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
                    [self.table, self.pk_column, self.table, self.pk_column, count],
                )
                (last,) = cursor.fetchone()
                return list(range(last - count + 1, last + 1))
            if self.postgres:
                cursor.execute(f'LOCK TABLE "{self.table}" IN ROW EXCLUSIVE MODE')
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.table, self.pk_column, count],
                )
                return [pk for (pk,) in cursor.fetchall()]
            cursor.execute(f'SELECT COALESCE(MAX("{self.pk_column}"), 0) FROM "{self.table}"')
            (highest,) = cursor.fetchone()
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            found = cursor.fetchone()
            start = max(highest, found[0] if found else 0) + 1
            return list(range(start, start + count))

    def db_value(self, value: datetime.datetime) -> object:
        """A date-time as this table's rows take it where the caller adapts them itself
        (``insert(..., ready=True)``): as it is on PostgreSQL, Django's text on SQLite."""
        return value if self.postgres else connection.ops.adapt_datetimefield_value(value)

    def insert(self, rows: list[tuple], *, ready: bool = False) -> None:
        """Insert ``rows``; ``ready``: their values need no adapting here (the caller wrote
        date-times with :meth:`db_value` and has no JSON columns; the driver adapts the rest)."""
        if not rows:
            return
        if self.rest:
            tail = tuple(
                None if value is None or adapter is None else adapter(value)
                for value, adapter in zip(
                    (f.get_default() for f in self.rest),
                    self.adapters[len(self.columns) - len(self.rest) :],
                    strict=True,
                )
            )
            rows = [(*row, *tail) for row in rows]
        if ready:
            self._insert_ready(rows)
            return
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor
                adapters, adapted = self.adapters, self.adapted
                with raw.copy(f'COPY "{self.table}" ({self.column_sql}) FROM STDIN') as copy:
                    for row in rows:
                        if adapted:
                            row = list(row)
                            for i in adapted:
                                if row[i] is not None:
                                    row[i] = adapters[i](row[i])
                        copy.write_row(row)
                return
            if self.adapted:
                # The same few values recur (the import's time stamp): adapt each once.
                adapters, adapted = self.adapters, self.adapted
                memo: dict[tuple[int, object], object] = {}
                fixed = []
                for row in rows:
                    row = list(row)
                    for i in adapted:
                        value = row[i]
                        if value is not None:
                            if isinstance(value, datetime.datetime):
                                key = (i, value)
                                if key not in memo:
                                    memo[key] = adapters[i](value)
                                row[i] = memo[key]
                            else:
                                row[i] = adapters[i](value)
                    fixed.append(row)
                rows = fixed
            marks = ", ".join(["%s"] * len(self.columns))
            cursor.executemany(
                f'INSERT INTO "{self.table}" ({self.column_sql}) VALUES ({marks})', rows
            )

    def _insert_ready(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(
                    f'COPY "{self.table}" ({self.column_sql}) FROM STDIN'
                ) as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
                return
            marks = ", ".join(["%s"] * len(self.columns))
            cursor.executemany(
                f'INSERT INTO "{self.table}" ({self.column_sql}) VALUES ({marks})', rows
            )

    def update(
        self, set_columns: Sequence[str], rows: list[tuple], *, key: str | None = None
    ) -> None:
        """UPDATE … SET set_columns WHERE pk (or the column ``key``): each row is
        (*values, key)."""
        if not rows:
            return
        fields = {f.column: f for f in self.model._meta.concrete_fields}
        adapters: list[Callable | None] = []
        for column in set_columns:
            kind = fields[column].get_internal_type()
            if kind == "JSONField":
                adapters.append(_json_adapter(fields[column]))
            elif self.postgres:
                adapters.append(None)
            else:
                adapters.append(
                    connection.ops.adapt_datetimefield_value
                    if kind == "DateTimeField"
                    else connection.ops.adapt_datefield_value
                    if kind == "DateField"
                    else str
                    if kind == "DecimalField"
                    else None
                )
        if any(adapters):
            rows = [
                [
                    a(v) if a is not None and v is not None else v
                    for a, v in zip([*adapters, None], row, strict=True)
                ]
                for row in rows
            ]
        assignments = ", ".join(f'"{c}" = %s' for c in set_columns)
        with connection.cursor() as cursor:
            cursor.executemany(
                f'UPDATE "{self.table}" SET {assignments} WHERE "{key or self.pk_column}" = %s',
                rows,
            )


# A converted row as the workers send it: a tuple of these values, ready for the database —
# registered_capital and established_on as text (what the drivers would make of the Decimal
# and the date); a field the file leaves blank is "" (text) or None (the others), and a blank
# cell never empties a field, so "" or None also means "not in the file" (see _row_values).
# The company's columns come first, so that a new company's row is a slice of it (its history
# row and its profile pick their values from it).
ROW_FIELDS = (
    "name",
    "uscc",
    "region_id",
    "address",
    "ownership",
    "legal_representative",
    "registered_capital",
    "established_on",
    "registration_status",
    "industry_code",
    "insured_staff",
    "business_scope",
    "name_normalized",
    "name_initials",
    "enterprise_type",
)
R_NAME, R_USCC, R_REGION = 0, 1, 2
R_NORMALIZED, R_TYPE = ROW_FIELDS.index("name_normalized"), ROW_FIELDS.index("enterprise_type")
R_COMPANY = R_TYPE  # the company's columns: ROW_FIELDS[:R_COMPANY]
R_OWNERSHIP = ROW_FIELDS.index("ownership")
_ROW_TEXT = frozenset(
    {
        "name",
        "address",
        "legal_representative",
        "registration_status",
        "industry_code",
        "business_scope",
        "name_normalized",
        "name_initials",
        "enterprise_type",
        "ownership",
    }
)
# A new company's other columns (after id and ROW_FIELDS[:R_COMPANY]) and their values.
COMPANY_CONSTANTS = (
    "version",
    "created_at",
    "updated_at",
    "created_by_id",
    "deleted_at",
    "parent_id",
    "merged_into_id",
    "notes",
)
COMPANY_ATTNAMES = (*ROW_FIELDS[:R_COMPANY], *COMPANY_CONSTANTS)
HISTORY_EXTRA = ("history_date", "history_change_reason", "history_type", "history_user_id")
PROFILE_ATTNAMES = ("company_id", "enterprise_type", "registry_region_id", "source", "imported_at")
# Written on an update of a company (with version + 1 and updated_at).
UPDATE_ATTNAMES = (
    "name",
    "name_normalized",
    "name_initials",
    "uscc",
    "region_id",
    *REGISTRY_FIELDS[1:],
)


class _Writer:
    def __init__(self, *, user, source: str, now: datetime.datetime):
        self.user_id = user.pk if user is not None else None
        self.source = source[:64]
        self.now = now
        history = Company.history.model
        tracked = {
            f.attname for f in history._meta.concrete_fields if not f.name.startswith("history_")
        }
        # The company's columns the history keeps (id first), in COMPANY_ATTNAMES order.
        self.history_attnames = ["id"] + [a for a in COMPANY_ATTNAMES if a in tracked]
        self.companies = _BulkTable(Company, COMPANY_ATTNAMES, with_ids=True)
        self.history = _BulkTable(history, [*self.history_attnames, *HISTORY_EXTRA], with_ids=False)
        self.profiles = _BulkTable(CompanyProfile, PROFILE_ATTNAMES, with_ids=False)
        self.profile_updates = _BulkTable(CompanyProfile, (), with_ids=False)
        self.company_updates = _BulkTable(Company, (), with_ids=False)
        # Whether the import keeps other writers out of the company table (set by the import).
        self.exclusive = False
        # SQLite: the key ranges of the companies created whose FTS rows are still to be
        # written, when the import writes them at the end (None: a chunk at a time).
        self.search_later: list[tuple[int, int]] | None = None

    def history_row(self, company: dict, kind: str) -> tuple:
        return (
            *(company[a] for a in self.history_attnames),
            self.now,
            HISTORY_REASON,
            kind,
            self.user_id,
        )

    def create(self, rows: list[tuple]) -> list[int]:
        """Insert new companies (rows as ROW_FIELDS) with their history and profiles."""
        ids = self.companies.new_ids(len(rows), exclusive=self.exclusive)
        now, user_id, source = self.companies.db_value(self.now), self.user_id, self.source
        constants = {
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "created_by_id": user_id,
            "deleted_at": None,
            "parent_id": None,
            "merged_into_id": None,
            "notes": "",
        }
        tail = tuple(constants[a] for a in COMPANY_CONSTANTS)
        end = R_COMPANY
        companies = [(pk, *row[:end], *tail) for pk, row in zip(ids, rows, strict=True)]
        if self.search_later is not None:
            # SQLite, a large import: the FTS rows come at the end (see _search_rows_at_end).
            self.companies.insert(companies, ready=True)
            self.search_later.append((ids[0], ids[-1]))
        elif self.companies.postgres or len(companies) < SQLITE_FTS_BULK_FROM:
            self.companies.insert(companies, ready=True)
        else:
            from yinli.companies.search import sqlite_bulk_insert

            # Candidate search's FTS rows of the chunk in one statement, not a trigger a row.
            with sqlite_bulk_insert(connection) as index_rows:
                self.companies.insert(companies, ready=True)
                index_rows(ids[0], ids[-1])
        if self.companies.postgres:
            profiles = [
                (pk, row[R_TYPE], row[R_REGION], source, now)
                for pk, row in zip(ids, rows, strict=True)
            ]
            self.profiles.insert(profiles, ready=True)
        else:
            self._sqlite_profiles(ids, [row[R_TYPE] for row in rows])
        return ids

    def _sqlite_profiles(self, ids: list[int], types: list[str]) -> None:
        """SQLite: the profiles of the companies just created with ``ids`` (a range) in one
        statement — their enterprise types as one JSON array, the rest from the company rows
        and constants — rather than a row of parameters each."""
        table = self.profiles
        values = {
            "company_id": "c.id",
            "enterprise_type": "t.value",
            "registry_region_id": "c.region_id",
            "source": "%s",
            "imported_at": "%s",
        }
        params: list = [self.source, self.companies.db_value(self.now)]
        selected = [values[a] for a in PROFILE_ATTNAMES]
        for f in table.rest:  # a column added later: its default
            selected.append("%s")
            default = f.get_default()
            params.append(None if default is None else f.get_db_prep_save(default, connection))
        company = connection.ops.quote_name(Company._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{table.table}" ({table.column_sql}) '
                f"SELECT {', '.join(selected)} FROM json_each(%s) AS t "
                f"JOIN {company} AS c ON c.id = %s + t.key ORDER BY t.key",
                [*params, json.dumps(types, ensure_ascii=False), ids[0]],
            )

    def update(self, companies: list[dict], profiles_new: list[tuple], profiles_old: list[tuple]):
        """Changed companies (their full rows after the change) and their profiles."""
        now = self.now
        rows, history = [], []
        for company in companies:
            company["version"] += 1
            company["updated_at"] = now
            rows.append(
                (*(company[a] for a in UPDATE_ATTNAMES), company["version"], now, company["id"])
            )
            history.append(self.history_row(company, "~"))
        # A company this import (or an earlier one) created has no creation record yet: it is
        # written now, from the row as it is before the change.
        record_creations([company["id"] for company in companies])
        columns = [Company._meta.get_field(a.removesuffix("_id")).column for a in UPDATE_ATTNAMES]
        self.company_updates.update([*columns, "version", "updated_at"], rows)
        self.history.insert(history)
        self.profiles.insert(profiles_new)
        self.profile_updates.update(
            ["enterprise_type", "registry_region_id", "source", "imported_at"],
            profiles_old,
            key="company_id",  # a profile's own id is not its company's
        )


# -- the import ------------------------------------------------------------------------------


def _find_header(rows: Iterator[tuple[int, list]]) -> tuple[int, list[EnterpriseColumn], list]:
    head: list[tuple[int, list]] = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    best = None
    for position, (number, cells) in enumerate(head):
        if filled(cells) < 2:
            continue
        columns = map_header(cells)
        found = len({c.field for c in columns if c.field})
        if found >= 2 and (best is None or found > best[0]):
            best = (found, number, columns, position)
    if best is None or not any(c.field == "name" for c in best[2]):
        raise LedgerFileError(
            _(
                "No header row with a company name column (企业名称) was found in the first "
                "%(count)s rows: a header names columns such as 企业名称, 统一社会信用代码, "
                "注册资本, 经营范围."
            )
            % {"count": HEADER_SEARCH_ROWS},
            code="no_header",
        )
    _found, number, columns, position = best
    return number, columns, head[position + 1 :]


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    """Chunks of converted rows; a chunk ends early before a credit code (or, for rows without
    one, a normalized name) it holds already, so that the later row sees the earlier one."""
    chunk: list[tuple] = []
    keys: set[str] = set()
    for row in rows:
        key = row[R_USCC] or "#" + row[R_NORMALIZED]
        if key in keys or len(chunk) >= size:
            yield chunk
            chunk, keys = [], set()
        chunk.append(row)
        keys.add(key)
    if chunk:
        yield chunk


def _row_values(row: tuple) -> dict[str, Any]:
    """A converted row (ROW_FIELDS) as the dict of the values the file gives, typed as a
    company's (the registered capital a Decimal, the date a date): what a match compares."""
    values = {
        name: value
        for name, value in zip(ROW_FIELDS, row, strict=True)
        if value is not None and (value != "" or name not in _ROW_TEXT)
    }
    values["name_normalized"] = row[R_NORMALIZED]
    values["name_initials"] = row[ROW_FIELDS.index("name_initials")]
    if "registered_capital" in values:
        values["registered_capital"] = Decimal(values["registered_capital"])
    if "established_on" in values:
        values["established_on"] = datetime.date.fromisoformat(values["established_on"])
    return values


_FETCH = ("id", *COMPANY_ATTNAMES)


class _Known:
    """Which credit codes — and which normalized names of companies without a code — the
    registry may hold, in a Bloom filter (a false positive costs one look-up, a negative is
    certain): a large file of new companies then asks the database about none of them, where
    two look-ups a row were a third of the import. At least 256 bits a key (32 MB a bitmap for
    a million keys) and four bits set a key make a false positive about once in 17 million
    tests (64 bits a key made it once in 70,000; one bit, once in 64): the import sets the
    indexes of codes and names aside, and the first key it looks up builds them again
    (``before_lookup``), so a false positive early in a province's file would cost most of what
    setting them aside saved.

    Built once at the start from the registry and kept up to date with every company the
    import writes, so only where the import keeps other writers out of the company table
    (see :func:`_known_for`)."""

    BITS = 256  # a key, at least

    def __init__(self, expected: int) -> None:
        bits = 1 << max(16, (self.BITS * max(expected, 1) - 1).bit_length())
        self.mask = bits - 1
        self.codes = bytearray(bits >> 3)
        self.names = bytearray(bits >> 3)
        # Called once before the first look-up (see import_enterprises).
        self.before_lookup: Callable[[], object] | None = None

    def looking_up(self) -> None:
        if self.before_lookup is not None:
            self.before_lookup()
            self.before_lookup = None

    # The four bits of a key by double hashing of its one (64-bit) hash: from the low bits'
    # start, an odd step (so the four differ) from the high bits.

    def _add(self, bitmap: bytearray, key: str) -> None:
        h, mask = hash(key), self.mask
        bit, step = h & mask, ((h >> 32) | 1) & mask
        for _probe in range(4):
            bitmap[bit >> 3] |= 1 << (bit & 7)
            bit = (bit + step) & mask

    def _test(self, bitmap: bytearray, key: str) -> bool:
        h, mask = hash(key), self.mask
        bit, step = h & mask, ((h >> 32) | 1) & mask
        for _probe in range(4):
            if not bitmap[bit >> 3] & (1 << (bit & 7)):
                return False  # most new keys: at the first bit
            bit = (bit + step) & mask
        return True

    def add(self, company: dict) -> None:
        self.add_key(company.get("uscc"), company["name_normalized"])

    def add_key(self, code: str | None, name: str) -> None:
        if code:
            self._add(self.codes, code)
        else:
            self._add(self.names, name)

    def may_hold_code(self, code: str) -> bool:
        return self._test(self.codes, code)

    def may_hold_name(self, name: str) -> bool:
        return self._test(self.names, name)


def _bring_back(aside: list, columns: Sequence[str]) -> None:
    for column in columns:
        bring_back(aside, Company, column)
    # An update first looks for the company's creation record (record_creations).
    bring_back(aside, Company.history.model, "id")


def _known_for(rows: int | None) -> _Known | None:
    """A :class:`_Known` of the registry for an import of ``rows`` rows that holds the company
    table against other writers (SQLite's write lock, or PostgreSQL's lock of the dropped
    trigram indexes), when reading the registry's keys costs less than looking the file's rows
    up: for a file of at least a quarter of the registry."""
    if not rows:
        return None
    table = Company._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        (registry,) = cursor.fetchone()
        if registry > KNOWN_FROM_SHARE * rows:
            return None
        known = _Known(registry + rows)
        add = known.add_key
        cursor.execute(f'SELECT "uscc", "name_normalized" FROM "{table}"')
        while True:
            batch = cursor.fetchmany(10_000)
            if not batch:
                break
            for code, name in batch:
                add(code, name)
    return known


def _existing(
    chunk: list[tuple], known: _Known | None = None
) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """The registry's companies for a chunk of converted rows: by credit code, and (without a
    code) by normalized name, lowest key first. With ``known``, only the keys it may hold are
    looked up."""
    codes = [row[R_USCC] for row in chunk if row[R_USCC]]
    if known is not None:
        may_hold = known.may_hold_code
        codes = [code for code in codes if may_hold(code)]
        if codes:
            known.looking_up()
    by_code = (
        {row["uscc"]: row for row in Company.all_objects.filter(uscc__in=codes).values(*_FETCH)}
        if codes
        else {}
    )
    names = {row[R_NORMALIZED] for row in chunk if row[R_USCC] not in by_code}
    if known is not None:
        may_hold = known.may_hold_name
        names = {name for name in names if may_hold(name)}
        if names:
            known.looking_up()
    by_name: dict[str, list[dict]] = {}
    if names:
        for row in (
            Company.all_objects.filter(name_normalized__in=names, uscc__isnull=True)
            .order_by("pk")
            .values(*_FETCH)
        ):
            by_name.setdefault(row["name_normalized"], []).append(row)
    return by_code, by_name


def _changes(values: dict, company: dict, ref: _Reference) -> list[str]:
    """Set the file's values on a company (a dict of its row); the attnames that changed."""
    changed = []
    for name in REGISTRY_FIELDS:
        if name not in values:
            continue
        new, old = values[name], company[name]
        if new == old:
            continue
        company[name] = new
        changed.append(name)
    if "name" in changed:
        company["name_normalized"] = values["name_normalized"]
        company["name_initials"] = values["name_initials"]
    if values.get("uscc") and not company["uscc"]:
        company["uscc"] = values["uscc"]
        changed.append("uscc")
    region = values.get("region_id")
    if region and region != company["region_id"]:
        # A wider place that holds the company's region (江苏 for 京口区) changes nothing.
        if company["region_id"] is None or region not in ref.holders.get(company["region_id"], ()):
            company["region_id"] = region
            changed.append("region_id")
    return changed


def may_import(user) -> bool:
    from .services import may_edit_chains

    return may_edit_chains(user)


@gc_paused
def import_enterprises(
    *,
    path: Path | str,
    user,
    source: str = "",
    skip_invalid: bool = False,
    classify: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int, int | None], None] | None = None,
    classify_progress: Callable[[int, int], None] | None = None,
    file_name: str | None = None,
) -> EnterpriseImport:
    """Import an enterprise-base file (see the module docstring); the result says what it did.

    ``progress(done, total)`` is called after each chunk (``total``: the file's rows, an upper
    bound for CSV); ``classify_progress(done, total)`` likewise for the classification.
    Raises PermissionDeniedError for anyone but the city's analysts and administrators, and
    ValidationError (LedgerFileError) when the file as a whole cannot be read.
    """
    if user is not None and not may_import(user):
        raise PermissionDeniedError(
            _("Only the city's analysts and administrators import the enterprise base.")
        )
    path = Path(path)
    began = time.perf_counter()
    result = EnterpriseImport(
        file_name=file_name or path.name,
        source=(source or file_name or path.name)[:64],
        skip_invalid=skip_invalid,
    )
    rows, total, fmt = raw_rows(path, Limits.from_settings(bulk=True))
    result.format = fmt
    header_row, columns, buffered = _find_header(rows)
    result.header_row, result.columns = header_row, columns
    if total is not None:
        total = max(total - header_row, 0)
    ref = _Reference()
    converter = _Converter(columns, ref)
    now = timezone.now()
    result.imported_at = now
    writer = _Writer(user=user, source=result.source, now=now)
    state = {"writing": True, "done": 0}

    def converted() -> Iterator[tuple]:
        def stream():
            yield from buffered
            yield from rows

        counts = result.counts
        parallel = total is not None and total >= PARALLEL_FROM
        ranges = None
        if parallel and fmt == "csv" and "fork" in multiprocessing.get_all_start_methods():
            ranges = csvblocks.record_ranges(path, RANGE_BYTES, first_lines=header_row)
        if ranges is not None:
            rows.close()  # the workers read the file themselves, the header's rows too
            blocks = _converted_ranges(converter, path, ranges, skip=header_row)
        else:
            blocks = _converted_blocks(converter, stream(), parallel=parallel)
        for items, clean in blocks:
            if clean:
                state["done"] += len(items)
                counts["rows"] += len(items)
                yield from items
                continue
            for _number, row, problems, warnings in items:
                state["done"] += 1
                if row is False:
                    continue  # a blank row
                counts["rows"] += 1
                for warning in warnings:
                    result.warn(warning)
                if row is None:
                    counts["error_rows"] += 1
                    for problem in problems:
                        result.error(problem)
                    if not skip_invalid:
                        state["writing"] = False
                    continue
                yield row

    def run(known: _Known | None = None) -> None:
        for chunk in _chunks(converted(), chunk_size):
            if state["writing"]:
                if skip_invalid:
                    with transaction.atomic():
                        _write_chunk(chunk, writer, ref, result)
                else:
                    _write_chunk(chunk, writer, ref, result, known)
            if progress:
                progress(state["done"], total)
        if progress:
            progress(state["done"], state["done"])

    with page_cache():
        if skip_invalid:
            run()
            result.committed = True
        else:
            with transaction.atomic():
                rebuild = _suspend_search_index(total)
                with set_aside_indexes(
                    BULK_TABLES, rows=total, unique={Company: ["uscc"]}
                ) as aside:
                    # Nobody else writes companies meanwhile: SQLite's write lock is the
                    # transaction's, and on PostgreSQL the dropped indexes lock the table.
                    exclusive = (
                        rebuild
                        or connection.vendor == "sqlite"
                        or any(item.table == Company._meta.db_table for item in aside)
                    )
                    writer.exclusive = exclusive
                    known = _known_for(total) if exclusive else None
                    # The indexes of credit codes and names the matching reads come back
                    # before its first look-up: at once when every chunk looks its keys up.
                    # (The import writes no code twice: a later row updates the company an
                    # earlier one wrote.)
                    lookups_back = functools.partial(_bring_back, aside, BULK_LOOKUPS)
                    if known is None:
                        lookups_back()
                    else:
                        known.before_lookup = lookups_back
                    with (
                        _search_rows_at_end(writer, total, lambda: result.counts["error_rows"] > 0),
                        _checks_as_written(total),
                    ):
                        run(known)
                    if result.counts["error_rows"]:
                        # Nothing is built again: the rollback restores the indexes.
                        transaction.set_rollback(True)
                if not result.counts["error_rows"]:
                    if rebuild:
                        _rebuild_search_index()
                    result.committed = True
    if not result.committed:
        result.company_ids = array("q")
    result.seconds = time.perf_counter() - began
    if result.committed:
        analyze_tables(["companies_company", "chains_companyprofile"])
    if classify and result.committed:
        result.classification = classify_imported(
            company_ids=result.company_ids, progress=classify_progress
        )
    return result


@contextmanager
def _checks_as_written(rows: int | None) -> Iterator[None]:
    """On PostgreSQL, for a large file, the foreign keys (to regions, users, companies) checked
    at the end of each COPY rather than all at the commit: the server checks a chunk while the
    workers convert the next ones, where a queue of millions of deferred checks ran alone at
    the end (and held the server's memory meanwhile). Every statement of the import writes a
    row's parents before it or with it (companies, then their history and profiles)."""
    if connection.vendor != "postgresql" or not rows or rows < PARALLEL_FROM:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def _search_rows_at_end(
    writer: _Writer, rows: int | None, failed: Callable[[], bool]
) -> Iterator[None]:
    """On SQLite, for an import of SQLITE_FTS_AT_END_FROM rows or more: candidate search's
    FTS rows of the companies created written once at the end — one INSERT … SELECT over their
    keys — with the insert trigger dropped for the whole import (and created again, in the same
    transaction) rather than a chunk at a time. Nothing is written when ``failed()`` says the
    import is to roll back."""
    if connection.vendor != "sqlite" or not rows or rows < SQLITE_FTS_AT_END_FROM:
        yield
        return
    from yinli.companies.search import FTS_TABLE, sqlite_bulk_insert

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            [f"{FTS_TABLE}_insert"],
        )
        if cursor.fetchone() is None:  # no search index to keep up (a chunk's way decides)
            yield
            return
    with sqlite_bulk_insert(connection) as index_rows:
        writer.search_later = ranges = []
        try:
            yield
        finally:
            writer.search_later = None
        if ranges and not failed():
            first, last = ranges[0][0], ranges[-1][1]
            with connection.cursor() as cursor:
                # A company created and then changed by a later row of the file has its row
                # already (the update trigger wrote it).
                cursor.execute(
                    f"DELETE FROM {FTS_TABLE} WHERE rowid BETWEEN %s AND %s", [first, last]
                )
            index_rows(first, last)


def _suspend_search_index(rows: int | None) -> bool:
    """For a large load on PostgreSQL, drop the trigram indexes of candidate search
    (yinli.companies.search) inside the import's transaction; True when dropped, and then
    :func:`_rebuild_search_index` builds them again before the commit.

    Keeping a GIN trigram index up to date costs the server far more per row than building it
    once from the finished table, so from REBUILD_INDEX_FROM rows — and a file at least a fifth
    of the registry, where building anew costs less than the inserts would — the import drops
    and rebuilds them. DDL is transactional on PostgreSQL: a failed or refused import rolls the
    drop back with everything else. The price: DROP INDEX locks the company table until the
    commit, so pages that read companies wait for the import (a province list is a night job).
    Only the all-or-nothing import does this (with skip_invalid each chunk commits on its own).
    SQLite's FTS5 table is filled a chunk at a time instead (see _Writer.create and
    SQLITE_FTS_BULK_FROM): the trigger fired row by row cost three times the table's insert.
    """
    if connection.vendor != "postgresql" or not rows or rows < REBUILD_INDEX_FROM:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [Company._meta.db_table]
        )
        found = cursor.fetchone()
    if found and found[0] > 0 and rows * 5 < found[0]:
        return False
    from yinli.companies.search import drop_search_index

    drop_search_index(connection)
    return True


def _rebuild_search_index() -> None:
    """Build the trigram indexes dropped by :func:`_suspend_search_index` (same transaction),
    with the memory a city server would give an index build (for this transaction only)."""
    from yinli.companies.search import install_search_index

    with connection.cursor() as cursor:
        # The foreign keys' deferred checks of the rows written are due now (CREATE INDEX
        # refuses a table with pending trigger events); later writes are deferred again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{REBUILD_INDEX_MEMORY}'")
    install_search_index(connection)


def analyze_tables(tables: list[str]) -> None:
    """Fresh planner statistics after a bulk load on PostgreSQL. Without them the planner
    still takes a table of thousands of rows for an empty one and picks nested loops that run
    for minutes (SQLite's planner needs no ANALYZE here; see bench/README.md)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


_OWNERSHIPS: dict[str, str] = {}


# Where each column's value goes in a row (ROW_FIELDS), for the columns _Converter._cells holds.
_SLOTS = {
    "name": ROW_FIELDS.index("name"),
    "uscc": ROW_FIELDS.index("uscc"),
    "address": ROW_FIELDS.index("address"),
    "legal_representative": ROW_FIELDS.index("legal_representative"),
    "registered_capital": ROW_FIELDS.index("registered_capital"),
    "established_on": ROW_FIELDS.index("established_on"),
    "registration_status": ROW_FIELDS.index("registration_status"),
    "industry": ROW_FIELDS.index("industry_code"),
    "insured_staff": ROW_FIELDS.index("insured_staff"),
    "business_scope": ROW_FIELDS.index("business_scope"),
    "enterprise_type": ROW_FIELDS.index("enterprise_type"),
}
_TEXT_SLOTS = frozenset(i for i, name in enumerate(ROW_FIELDS) if name in _ROW_TEXT)
_UNCLEAN = object()  # a cell with a problem or a warning: the block goes row by row


def _stored(out: tuple, slot: int) -> object:
    """A cell's _Converter._cell outcome as the row stores it, or _UNCLEAN."""
    target, value, warning, error = out
    if warning or error:
        return _UNCLEAN
    if target is None:
        return "" if slot in _TEXT_SLOTS else None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _clean_rows(converter: _Converter, block: list[tuple[int, list]]) -> list[tuple] | None:
    """A block converted a column at a time: the rows _convert_block makes a row at a time,
    or None when a row is blank or short or a cell has a problem or a warning (the block then
    goes row by row, which words them). The common block — a vendor's clean list — costs a
    loop per column instead of a dict and a loop per row."""
    rows = [cells for _number, cells in block]
    width = converter.width
    for cells in rows:
        if len(cells) < width or not any(cells):
            return None
    count = len(rows)
    slots: list = [None] * len(ROW_FIELDS)
    cell = converter._cell
    for index, _column, fld, memo in converter._cells:
        slot = _SLOTS[fld]
        raws = [cells[index] for cells in rows]
        if memo is not None:
            # The texts of a recurring column, each converted once (as convert does), kept
            # here as the row stores them.
            known = converter._stored[fld]
            values = []
            append = values.append
            for raw in raws:
                if type(raw) is str:
                    value = known.get(raw, _UNCLEAN)
                    if value is _UNCLEAN:
                        value = _stored(cell(fld, raw), slot)
                        if value is _UNCLEAN:
                            return None
                        if len(known) < MEMO_LIMIT:
                            known[raw] = value
                elif raw is None:
                    value = "" if slot in _TEXT_SLOTS else None
                else:
                    value = _stored(cell(fld, raw), slot)
                    if value is _UNCLEAN:
                        return None
                append(value)
        elif fld == "business_scope":
            values = [
                raw.strip()
                if type(raw) is str and len(raw) > _LONGEST_BLANK_MARKER + 4
                else ""
                if raw is None or raw == ""
                else _stored(cell(fld, raw), slot)
                for raw in raws
            ]
            if _UNCLEAN in values:
                return None
        else:
            default = "" if slot in _TEXT_SLOTS else None
            if fld == "uscc":
                # A code already canonical and valid (most) needs nothing else.
                values = [quick_uscc(raw) if type(raw) is str else None for raw in raws]
            elif fld in TEXT_LIMITS:
                # A text too long to be a blank marker is only its spaces collapsed (_text).
                limit = TEXT_LIMITS[fld]
                values = [
                    " ".join(raw.split())
                    if type(raw) is str and len(raw) > _LONGEST_BLANK_MARKER + 4
                    else None
                    for raw in raws
                ]
                if any(value is not None and len(value) > limit for value in values):
                    return None
            else:
                values = [None] * count
            if None in values:  # the others the general way
                for i, value in enumerate(values):
                    if value is None:
                        raw = raws[i]
                        if raw is None or raw == "":
                            values[i] = default
                            continue
                        value = _stored(cell(fld, raw), slot)
                        if value is _UNCLEAN:
                            return None
                        values[i] = value
        slots[slot] = values
    names = slots[R_NAME]
    if names is None or "" in names:
        return None  # a row without a name: its error is worded row by row
    if converter.has_region:
        found = converter._regions
        places = []
        for cells in rows:
            raw = tuple(cells[i] if i < width else None for i in converter.region_indexes)
            known_place = found.get(raw)
            if known_place is None:
                known_place = converter._region(cells, len(cells))
                if len(found) < 100_000:
                    found[raw] = known_place
            region = known_place[1]
            if isinstance(region, ValidationError):
                return None
            places.append(region)
        slots[R_REGION] = places
    normalized = [normalize_company_name(name)[:200] for name in names]
    slots[R_NORMALIZED] = normalized
    slots[R_NORMALIZED + 1] = [name_initials(name) for name in normalized]
    ownerships = []
    for enterprise_type in slots[R_TYPE] or ("",) * count:
        ownership = _OWNERSHIPS.get(enterprise_type)
        if ownership is None:
            ownership = _OWNERSHIPS[enterprise_type] = str(ownership_for(enterprise_type))
        ownerships.append(ownership)
    slots[R_OWNERSHIP] = ownerships
    for slot, values in enumerate(slots):
        if values is None:  # a column the file lacks
            slots[slot] = itertools.repeat("" if slot in _TEXT_SLOTS else None, count)
    return list(zip(*slots, strict=True))


def _convert_block(block: list[tuple[int, list]]) -> tuple[list[tuple], bool]:
    """A block of rows converted: (items, clean). Clean — every row valid, none with a
    warning, none blank —: the items are the rows (tuples of ROW_FIELDS, the normalized name
    and its initials included). Else each item is (row number, the row — None when wrong,
    False when blank —, problems, warnings). Tuples of plain values: they cross to the writer
    process as cheaply as pickling allows."""
    converter = _WORKER_CONVERTER
    if COLUMNWISE:
        rows = _clean_rows(converter, block)
        if rows is not None:
            return rows, True
    out = []
    clean = True
    for number, cells in block:
        if not any(cells):
            out.append((number, False, (), ()))
            clean = False
            continue
        values, problems, warnings = converter.convert(number, cells)
        if values is None:
            out.append((number, None if filled(cells) else False, problems, warnings))
            clean = False
            continue
        get = values.get
        normalized = normalize_company_name(values["name"])[:200]
        enterprise_type = get("enterprise_type", "")
        ownership = _OWNERSHIPS.get(enterprise_type)
        if ownership is None:
            ownership = _OWNERSHIPS[enterprise_type] = str(ownership_for(enterprise_type))
        capital = get("registered_capital")
        founded = get("established_on")
        row = (
            values["name"],
            get("uscc"),
            get("region_id"),
            get("address", ""),
            ownership,
            get("legal_representative", ""),
            None if capital is None else str(capital),
            None if founded is None else founded.isoformat(),
            get("registration_status", ""),
            get("industry_code", ""),
            get("insured_staff"),
            get("business_scope", ""),
            normalized,
            name_initials(normalized),
            enterprise_type,
        )
        if warnings:
            clean = False
        out.append((number, row, problems, warnings))
    if clean:
        return [item[1] for item in out], True
    return out, False


_WORKER_CONVERTER: _Converter | None = None


def _blocks(rows: Iterable[tuple[int, list]], size: int) -> Iterator[list]:
    block = []
    for item in rows:
        block.append(item)
        if len(block) >= size:
            yield block
            block = []
    if block:
        yield block


def _converted_blocks(converter: _Converter, rows, *, parallel: bool) -> Iterator[tuple]:
    """The rows converted in order, a block at a time (see _convert_block): in this process,
    or — for a large file, where a POSIX fork is available — by worker processes while this
    one writes to the database (reading, checking and normalizing names cost as much as the
    writes; the database does its share in its own process on PostgreSQL)."""
    global _WORKER_CONVERTER
    _WORKER_CONVERTER = converter
    workers = min(WORKERS, os.cpu_count() or 1)
    if parallel and workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            # A bounded window of blocks in flight (Pool.imap would read the whole file ahead
            # into memory while the writer is slower than the reader).
            pending: collections.deque = collections.deque()
            for block in _blocks(rows, 1000):
                pending.append(pool.apply_async(_convert_block, (block,)))
                if len(pending) >= 4 * workers:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
        return
    for block in _blocks(rows, 1000):
        yield _convert_block(block)


def _convert_range(task: tuple) -> tuple[list[tuple], bool, int]:
    """A worker's share of a CSV file read in ranges (see ledger.csvblocks): the records of one
    byte range parsed and converted as _convert_block does, with the number of records read
    (the row numbers are the range's own, from 1; the first range skips the header records).
    Raises LedgerFileError when the range is not in the file's encoding."""
    path, start, end, encoding, delimiter, skip = task
    try:
        records = csvblocks.read_records(path, start, end, encoding, delimiter)
    except UnicodeDecodeError:
        raise csvblocks.encoding_error(path) from None
    block = list(enumerate(records, start=1))[skip:]
    items, clean = _convert_block(block) if block else ([], True)
    return items, clean, len(records)


def _shifted(items: list[tuple], base: int) -> list[tuple]:
    """The items of a range that was not clean, numbered as rows of the whole file."""
    return [
        (
            number + base,
            row,
            [dataclasses.replace(p, row=p.row + base) for p in problems],
            [dataclasses.replace(w, row=w.row + base) for w in warnings],
        )
        for number, row, problems, warnings in items
    ]


def _converted_ranges(
    converter: _Converter, path: Path, ranges: list[tuple[int, int]], skip: int
) -> Iterator[tuple]:
    """As _converted_blocks, for a CSV file the worker processes read themselves, a byte range
    each (ledger.csvblocks): this process neither parses the file nor sends its cells."""
    global _WORKER_CONVERTER
    _WORKER_CONVERTER = converter
    encoding = detect_encoding(path)
    delimiter = csvblocks.sniff_delimiter(path, encoding)
    context = multiprocessing.get_context("fork")
    workers = min(WORKERS, os.cpu_count() or 1)
    base = 0
    with context.Pool(workers) as pool:
        pending: collections.deque = collections.deque()
        tasks = iter(ranges)
        first = True
        while True:
            # A deeper window than _converted_blocks: nothing here waits on this process to
            # read ahead, and a range's rows are small beside the memory an import may take.
            while len(pending) < RANGES_AHEAD * workers:
                task = next(tasks, None)
                if task is None:
                    break
                start, end = task
                pending.append(
                    pool.apply_async(
                        _convert_range,
                        ((path, start, end, encoding, delimiter, skip if first else 0),),
                    )
                )
                first = False
            if not pending:
                return
            items, clean, count = pending.popleft().get()
            if not clean and base:
                items = _shifted(items, base)
            base += count
            yield items, clean


def _same_place(ref: _Reference, one: int | None, other: int | None) -> bool:
    """Whether two regions may be the same company's (either unknown, or one holds the other):
    a name without its region prefix (恒远科技) is matched only within its place."""
    if one is None or other is None or one == other:
        return True
    return one in ref.holders.get(other, ()) or other in ref.holders.get(one, ())


def _write_chunk(
    chunk: list[tuple],
    writer: _Writer,
    ref: _Reference,
    result: EnterpriseImport,
    known: _Known | None = None,
):
    by_code, by_name = _existing(chunk, known)
    creates: list[tuple] = []
    changed: list[dict] = []
    profiles_new: list[tuple] = []
    profiles_old: list[tuple] = []
    claimed: set[int] = set()
    matched: list[tuple[dict, dict]] = []
    if not by_code and not by_name:
        creates = chunk  # the registry holds none of them (a large file's usual chunk)
    else:
        for row in chunk:
            code = row[R_USCC]
            company = by_code.get(code) if code else None
            if company is None:
                for candidate in by_name.get(row[R_NORMALIZED], ()):
                    if candidate["id"] not in claimed and _same_place(
                        ref, row[R_REGION], candidate["region_id"]
                    ):
                        company = candidate
                        break
            if company is None:
                creates.append(row)
                continue
            claimed.add(company["id"])
            if company["merged_into_id"]:
                result.counts["merged"] += 1
                continue
            matched.append((_row_values(row), company))
    profiles = {
        p["company_id"]: p
        for p in CompanyProfile.objects.filter(
            company_id__in=[c["id"] for _v, c in matched]
        ).values("company_id", "enterprise_type", "registry_region_id")
    }
    for values, company in matched:
        fields = _changes(values, company, ref)
        profile = profiles.get(company["id"])
        enterprise_type = values.get("enterprise_type", "")
        region = values.get("region_id")
        profile_differs = profile is None or (
            (enterprise_type and enterprise_type != profile["enterprise_type"])
            or (region and region != profile["registry_region_id"])
        )
        if not fields and not profile_differs:
            result.counts["unchanged"] += 1
            continue
        result.counts["updated"] += 1
        result.company_ids.append(company["id"])
        if fields:
            changed.append(company)
        if profile is None:
            profiles_new.append((company["id"], enterprise_type, region, writer.source, writer.now))
        else:
            profiles_old.append(
                (
                    enterprise_type or profile["enterprise_type"],
                    region or profile["registry_region_id"],
                    writer.source,
                    writer.now,
                    company["id"],
                )
            )
    if known is not None:
        add = known.add_key
        for row in creates:
            add(row[R_USCC], row[R_NORMALIZED])
        for _values, company in matched:
            known.add(company)
    if creates:
        result.company_ids.extend(writer.create(creates))
        result.counts["created"] += len(creates)
    if changed or profiles_new or profiles_old:
        writer.update(changed, profiles_new, profiles_old)
    if changed:
        _mark_stale([company["id"] for company in changed])


def _mark_stale(company_ids: list[int]) -> None:
    """The target ranking keeps a copy of company figures on their placements: changed
    companies' copies are refreshed before the next ranking (as a saved company's are)."""
    try:
        from .targets import mark_stale
    except ImportError:  # pragma: no cover - the targets of issue 7 part 2 are not there
        return
    mark_stale(company_ids=company_ids)


# -- classification of the imported companies --------------------------------------------------


def classify_imported(
    *,
    company_ids: Sequence[int],
    chunk_size: int = CLASSIFY_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    parallel: bool | None = None,
) -> dict[str, Any]:
    """Place the given companies on the nodes of every live chain, in bulk.

    The rules of :func:`yinli.chains.services.classify_companies`: the classifier's unreviewed
    rows of these companies are replaced; confirmed and overridden rows stay (their score and
    words refreshed); rows added by hand stay. Each chunk is its own transaction — but for a
    classification large beside the placement table, which runs in one with the table's
    indexes set aside (:func:`_placements_load`).

    From CLASSIFY_PARALLEL_FROM companies (or with ``parallel=True``), where a POSIX fork is
    available, WORKERS processes match the texts while this process reads the next chunk and
    writes the finished ones (the matching is most of the work; the database is touched by this
    process only). At the end the placements' copy of the company figures the target ranking
    reads is filled (:func:`yinli.chains.targets.refresh_basis`), so that the first ranking
    after a large classification is as quick as the next.
    """
    from .services import live_nodes

    began = time.perf_counter()
    nodes = list(live_nodes())
    classifier = Classifier.from_nodes(nodes)
    node_ids = [n.pk for n in nodes]
    ids = sorted(set(company_ids))
    counts: dict[str, Any] = {"companies": 0, "placed_companies": 0, "placements": 0}
    table = _BulkTable(
        CompanyNode,
        (
            "company_id",
            "node_id",
            "score",
            "matched",
            "source",
            "decision",
            "note",
            "classified_at",
            *BASIS_ATTNAMES,
        ),
        with_ids=False,
    )
    refresh = _BulkTable(CompanyNode, (), with_ids=False)
    now = timezone.now()
    points = _region_points()
    parts = [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]
    done = 0

    def write(part, found, basis) -> None:
        nonlocal done
        _write_placements(part, found, basis, node_ids, table, refresh, now, counts)
        done += len(part)
        if progress:
            progress(done, len(ids))

    if parallel is None:
        parallel = len(ids) >= CLASSIFY_PARALLEL_FROM
    workers = min(WORKERS, os.cpu_count() or 1)
    with page_cache(), _placements_load(len(ids)):
        if parallel and workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            global _WORKER_CLASSIFIER
            _WORKER_CLASSIFIER = classifier
            pending: collections.deque = collections.deque()
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for part in parts:
                    texts, basis = _company_texts(part, points)
                    job = pool.apply_async(_classify_texts, (texts,))
                    pending.append((part, job, basis))
                    if len(pending) > workers:
                        part, job, basis = pending.popleft()
                        write(part, job.get(), basis)
                while pending:
                    part, job, basis = pending.popleft()
                    write(part, job.get(), basis)
        else:
            for part in parts:
                texts, basis = _company_texts(part, points)
                write(part, _classify_texts(texts, classifier), basis)
    if ids:
        from .targets import refresh_basis

        refresh_basis()
    seconds = time.perf_counter() - began
    counts["seconds"] = round(seconds, 2)
    counts["companies_per_second"] = round(counts["companies"] / seconds) if seconds else 0
    return counts


_WORKER_CLASSIFIER: Classifier | None = None


@contextmanager
def _placements_load(companies: int) -> Iterator[None]:
    """For a classification large beside the placement table (the first one of a large
    import's companies, see core.bulkload): its chunks in one transaction, with the placement
    table's secondary indexes set aside — all but the company index, by which each chunk reads
    its companies' placements — and, on PostgreSQL, its foreign keys to companies and nodes
    (validated once at the end instead of by a trigger a row; pages that read companies or
    nodes wait for the commit, as they do for a large import; the key to the user table stays,
    every request reads that one), built once at the end. Else nothing: each chunk commits on
    its own."""
    if not worth_setting_aside(CompanyNode, companies):
        yield
        return
    with transaction.atomic():
        with set_aside_indexes(
            [CompanyNode],
            keep={CompanyNode: ("company",)},
            foreign_keys=[Company, ChainNode],
        ):
            yield


def _in_range(queryset, field: str, part: list[int]):
    """``field`` in ``part`` (sorted): as a range when the keys are dense — an import's new
    companies are — else as a list."""
    low, high = part[0], part[-1]
    if high - low < 2 * len(part):
        return queryset.filter(**{f"{field}__gte": low, f"{field}__lte": high}), set(part)
    return queryset.filter(**{f"{field}__in": part}), None


# The placement's copy of its company's figures (CompanyNode.basis_*), as targets.refresh_basis
# fills it; written with each new placement so that no ranking has to fill it first.
BASIS_ATTNAMES = (
    "basis_ready",
    "basis_open",
    "basis_region",
    "basis_lat",
    "basis_lng",
    "basis_capital",
    "basis_staff",
    "basis_founded",
)


def _region_points() -> dict[int, tuple[float | None, float | None]]:
    """region id → (lat, lng) of the region, else its city's, else its province's (as
    targets.refresh_basis takes them)."""
    # Read as stored, like the SQL of refresh_basis (the ORM would round to the field's places).
    table = Region._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id, lat, lng, city_id, province_id FROM "{table}"')
        rows = {pk: (lat, lng, city, province) for pk, lat, lng, city, province in cursor}

    def first(index: int, pk: int) -> float | None:
        own = rows[pk]
        for holder in (pk, own[2], own[3]):
            if holder is not None and holder in rows and rows[holder][index] is not None:
                return float(rows[holder][index])
        return None

    return {pk: (first(0, pk), first(1, pk)) for pk in rows}


def _company_texts(
    part: list[int], points: dict[int, tuple]
) -> tuple[list[tuple[int, str, str]], dict[int, tuple]]:
    """The unmerged companies of ``part``: [(company id, the text the classifier reads,
    industry code)] and {company id: the basis of its placements (BASIS_ATTNAMES)}."""
    from .targets import DEAD_STATUSES

    rows, wanted = _in_range(Company.all_objects.filter(merged_into__isnull=True), "pk", part)
    texts, basis = [], {}
    nowhere = (None, None)
    # Read through the driver, without Django's converters (a Decimal and a date a row that
    # the basis turns into a float and writes back as the database gave it): the founding
    # date stays the driver's value — text on SQLite, which is what the column stores.
    sql, params = rows.values_list(
        "pk",
        "name",
        "business_scope",
        "industry_code",
        "region_id",
        "registered_capital",
        "insured_staff",
        "established_on",
        "registration_status",
        "deleted_at",
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    for pk, name, scope, code, region, capital, staff, founded, status, deleted in found:
        if wanted is not None and pk not in wanted:
            continue
        texts.append((pk, company_text(name, scope), code))
        lat, lng = points.get(region, nowhere) if region is not None else nowhere
        basis[pk] = (
            True,
            deleted is None and not (status or "").startswith(DEAD_STATUSES),
            region,
            lat,
            lng,
            None if capital is None else float(capital),
            None if staff is None else float(staff),
            founded,
        )
    return texts, basis


def _classify_texts(
    texts: list[tuple[int, str, str]], classifier: Classifier | None = None
) -> dict[int, list[tuple[int, Decimal, str]]]:
    """{company id: [(node id, score, the matched words as JSON text)]} — in a worker, with
    the classifier it inherited. The JSON is the text the placement's ``matched`` column
    stores (what Django writes for the list: ``json.dumps(…, ensure_ascii=False)``), encoded
    here rather than by the writing process, which has work enough."""
    classifier = classifier or _WORKER_CLASSIFIER
    dumps = json.dumps
    return {
        pk: [
            (m.node_id, m.score, dumps(m.matched, ensure_ascii=False))
            for m in classifier.classify(text, code)
        ]
        for pk, text, code in texts
    }


def _write_placements(part, found, basis, node_ids, table, refresh, now, counts) -> None:
    with transaction.atomic():
        rows, _wanted = _in_range(CompanyNode.objects.all(), "company_id", part)
        # The node as an expression: SQLite (without planner statistics) would otherwise walk
        # the node indexes — every placement of every node, slower with each chunk — instead
        # of the company's.
        rows = rows.alias(node_marker=F("node_id") + 0).filter(node_marker__in=node_ids)
        kept = {
            (company_id, node_id): pk
            for pk, company_id, node_id in rows.exclude(
                source=Source.AUTO, decision=Decision.NONE
            ).values_list("pk", "company_id", "node_id")
            if company_id in found
        }
        stale = rows.filter(source=Source.AUTO, decision=Decision.NONE)
        if part[-1] - part[0] + 1 > len(part):
            # Other companies sit between these keys: leave their rows alone.
            stale = stale.filter(company_id__in=part)
        stale.delete()
        new, refreshed = [], []
        auto, undecided = Source.AUTO.value, Decision.NONE.value
        stamp = table.db_value(now)
        for company_id, matches in found.items():
            if matches:
                counts["placed_companies"] += 1
            for node_id, score, matched in matches:
                counts["placements"] += 1
                pk = kept.get((company_id, node_id))
                if pk:
                    refreshed.append((score, json.loads(matched), now, pk))
                else:
                    new.append(
                        (company_id, node_id, score, matched, auto, undecided, "", stamp)
                        + basis[company_id]
                    )
        # Ready: the JSON is text already, the time stamp as the database takes it.
        table.insert(new, ready=True)
        refresh.update(["score", "matched", "classified_at"], refreshed)
    counts["companies"] += len(found)


__all__ = [
    "COLUMN_SYNONYMS",
    "EnterpriseImport",
    "classify_imported",
    "field_for_header",
    "import_enterprises",
    "may_import",
    "quick_uscc",
]

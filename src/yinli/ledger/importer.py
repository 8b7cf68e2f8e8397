"""Importing a district's project ledger: preview, commit, undo, and bulk mode.

    preview = preview_import(path="台账.xlsx", user=editor)        # writes nothing
    result = commit_import(path="台账.xlsx", user=editor)          # all or nothing
    result = commit_import(..., skip_invalid=True)                 # the valid rows only
    undo_import(batch=result.batch, by=editor)                     # takes it back as a whole

How a row finds the project it updates, strongest first: the 投资项目代码; the company's
统一社会信用代码 with the project name; the normalized project name in the same district. A row
that matches nothing creates a project (and its company, found by credit code or normalized name
or else created). A row whose values equal the project's is *unchanged*: re-importing a file
changes nothing.

Writes. New companies, projects and their stage log are written with plain multi-row INSERTs
(COPY on PostgreSQL) in chunks (:data:`CHUNK_SIZE` rows), without model instances; their history
rows — one "+" record per object, by the importing user, reason "import", as simple_history's
``bulk_create_with_history`` would write them — are copied from the new rows by the database
(INSERT … SELECT), and the first dates of the stage log (``projects.stagedates``) go into the
project's row with it, so no UPDATE follows. Updates go one by one
through ``projects.services.project_update`` (and ``project_advance_stage`` when the ledger shows
a later stage), so versions, history and scoping apply exactly as in the pages. A ledger cannot
move a stage back or move ``first_signed_on``: such differences are reported as warnings.

The ledger says when a project was signed, not when it reached a later stage: a created project
past 签约 gets a stage log entry for 签约 on its signing date and one for its current stage on the
import date, noted "台账导入".

Bulk mode (``bulk=True``) streams the file: rows are read, checked and written a chunk at a
time, each chunk recorded as its own batch under the file's batch (undoable on its own), so memory
stays flat for millions of rows. Without ``skip_invalid`` the whole file is one transaction: chunks
are written as they are checked, the first wrong row stops the writing, the rest of the file is
still checked so that every problem is reported, and then everything is rolled back. With
``skip_invalid`` each chunk commits on its own and the wrong rows are left out.

An all-or-nothing import hands its INSERTs to a second thread on the same connection
(:mod:`yinli.ledger.pipeline`): the database writes a chunk while the next one is read and
checked. A file large beside the project table (a first load: :mod:`yinli.core.bulkload`) is
written with the indexes of the project, project history and stage log tables set aside and
built once before the commit; on PostgreSQL their foreign keys too, validated again in one join
each instead of a check a row (the price: until the commit, the tables they reference — users,
units, regions, companies, industries — take no writes; a first load is a job for a quiet hour).

A bulk import into a database without projects (a first load: nothing to match or to offer as a
possible duplicate) checks and builds each chunk of plain new rows column by column, from the
converter's memory of cells, without a row plan (:meth:`_Planner.fast_chunk`,
:meth:`_Writer.write_fast`); a chunk with anything else in it (a wrong cell, a row of the file
seen before, a status, a responsible unit) goes through the plain path, which reports it.

Possible duplicates (issue 5): a row that would create a project whose investor — or whose name —
another district already has is written only with a person's answer (``decisions``): "a different
investment" with its reason (kept on the project) or "the same project" (a conflict naming both
is opened through ``projects.conflicts``). Unanswered rows are held, not written, unless
``undecided="distinct"`` with a reason covers them all.
"""

from __future__ import annotations

import datetime
import logging
import operator
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import islice, repeat
from pathlib import Path
from typing import Any
from unicodedata import normalize

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from yinli.companies.models import Company
from yinli.core import bulkload, scoping
from yinli.core.copytext import CopyText, varying_columns
from yinli.core.gcpause import gc_paused
from yinli.core.models import OrgUnit, Region
from yinli.core.names import normalize_company_name
from yinli.core.parsing import BLANK_MARKERS
from yinli.core.services import PermissionDeniedError, save_tracked
from yinli.projects import stagedates
from yinli.projects.models import (
    Agreement,
    Category,
    ConflictOrigin,
    DuplicateDecision,
    Kind,
    Project,
    Stage,
    StageChange,
    Status,
    stage_rank,
)
from yinli.projects.rules import requirements_for
from yinli.projects.services import project_advance_stage, project_set_status, project_update
from yinli.projects.stagedates import stage_dates_from_log
from yinli.reporting.locks import check_import_plans, locked_months

from . import pipeline
from .convert import TEXT_LIMITS, Problem, RowConverter, RowValues, _message, shown
from .mapping import FIELD_LABELS, Column, field_for_header
from .models import BatchStatus, ImportBatch, ImportChange, ImportMapping
from .reader import Ledger, LedgerFileError, Limits, bytes_to_tempfile, open_ledger, sha256_of
from .values import ValueResolver, normalize_project_name

log = logging.getLogger(__name__)

CHUNK_SIZE = 5000
#: A first load's chunks of plain new rows take the create-only path (_Planner.fast_chunk);
#: False sends every row through the plain path (the tests compare the two).
FAST_PATH = True
IMPORT_NOTE = "台账导入"
MAX_DUPLICATES_PER_ROW = 5

# Ledger field → Project attribute compared and written (foreign keys by their id).
PROJECT_FIELDS: dict[str, str] = {
    "signing_region": "signing_region_id",
    "controller_name": "controller_name",
    "controller_region": "controller_region_id",
    "total_investment": "total_investment",
    "foreign_investment": "foreign_investment",
    "foreign_currency": "foreign_currency",
    "industry": "industry_id",
    "category": "category",
    "kind": "kind",
    "first_contact": "first_contact",
    "responsible_person": "responsible_person",
    "channel": "channel_id",
    "fai_code": "fai_code",
    "fai_on": "fai_on",
    "notes": "notes",
    "land_mu": "land_mu",
    "jobs": "jobs",
    "expected_output": "expected_output",
    "expected_tax": "expected_tax",
    "task_force": "task_force",
    "linked_leader": "linked_leader",
    "introducer": "introducer",
    "responsible_unit": "responsible_unit_id",
    "status": "status",
    "status_reason": "status_reason",
    "lost_to": "lost_to_id",
}

# Set through projects.services.project_set_status on an update, not project_update.
_STATUS_ATTRS = ("status", "status_reason", "lost_to")

_REGION_FIELDS = frozenset({"signing_region", "controller_region", "lost_to"})
# The ledger fields whose value is a record (written by its id).
_RECORD_FIELDS = frozenset(name for name, attr in PROJECT_FIELDS.items() if attr.endswith("_id"))

ProgressCallback = Callable[[int, int | None], None]


# -- results ---------------------------------------------------------------------------------


@dataclass
class RowOutcome:
    row: int
    action: str  # create | update | unchanged | error
    name: str = ""
    project_id: int | None = None
    changes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "action": self.action,
            "name": self.name,
            "project_id": self.project_id,
            "changes": self.changes,
        }


@dataclass
class ImportPreview:
    """What an import would do (a preview) or did (a commit)."""

    file_name: str
    sha256: str
    format: str = ""
    header_rows: list[int] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    district: OrgUnit | None = None
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    possible_duplicates: list[dict] = field(default_factory=list)
    skipped_rows: list[dict] = field(default_factory=list)
    held_rows: list[dict] = field(default_factory=list)  # {row, project_ids}: awaiting a decision
    conflicts: list[int] = field(default_factory=list)  # opened by "the same project" answers
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "rows": 0,
            "create": 0,
            "update": 0,
            "unchanged": 0,
            "error": 0,
            "held": 0,
        }
    )
    committed: bool = False
    skipped: int = 0
    batch: ImportBatch | None = None
    keep_rows: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return self.counts["error"]

    def add(self, outcome: RowOutcome) -> None:
        self.counts["rows"] += 1
        self.counts[outcome.action] = self.counts.get(outcome.action, 0) + 1
        if self.keep_rows:
            self.rows.append(outcome)

    def summary(self) -> dict[str, Any]:
        """The JSON summary of the command line and the API."""
        done = self.committed
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "format": self.format,
            "dry_run": not done,
            "batch": self.batch.pk if self.batch else None,
            "district": self.district.name if self.district else None,
            "header_rows": self.header_rows,
            "columns": [
                {"header": c.header, "column": c.letter, "field": c.field, "unit": c.unit}
                for c in self.columns
            ],
            "rows": self.counts["rows"],
            "created": self.counts["create"] if done or self.ok else 0,
            "updated": self.counts["update"] if done or self.ok else 0,
            "unchanged": self.counts["unchanged"],
            "skipped": self.skipped,
            "would_create": self.counts["create"],
            "would_update": self.counts["update"],
            "error_rows": self.counts["error"],
            "held": self.counts["held"],
            "held_rows": self.held_rows,
            "conflicts": self.conflicts,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "possible_duplicates": self.possible_duplicates,
            "skipped_rows": self.skipped_rows,
        }


# -- the index of what exists ----------------------------------------------------------------


@lru_cache(maxsize=65536)
def _normalized_company(name: str) -> str:
    return normalize_company_name(name)[:200]


@lru_cache(maxsize=8192)
def _char_initial(char: str) -> str:
    return "".join(lazy_pinyin(char, style=Style.FIRST_LETTER)).lower()


_INITIALS: dict[str, str] = {}


def fast_initials(name: str, normalized: str | None = None) -> str:
    """Pinyin initials character by character (cached): the bulk path's stand-in for
    ``core.names.pinyin_initials``, which reads whole phrases and is 30 times slower.
    ``normalized``: ``normalize_company_name(name)[:200]`` when the caller has it already."""
    known = _INITIALS
    if normalized is None:
        normalized = normalize_company_name(name)[:200]  # project names are unique: no cache
    try:
        return "".join([known[c] for c in normalized])[:200]
    except KeyError:
        for char in normalized:
            if char not in known:
                known[char] = _char_initial(char)
        return "".join([known[c] for c in normalized])[:200]


@dataclass
class _NewCompany:
    name: str
    uscc: str | None
    region_id: int | None
    pk: int | None = None


class _Index:
    """Projects and companies that exist (and those this import will create), keyed for matching."""

    def __init__(self) -> None:
        self.by_fai: dict[str, int] = {}
        self.by_company_name: dict[tuple[int, str], int] = {}
        self.by_district_name: dict[tuple[int, str], int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_company: dict[int, list[int]] = defaultdict(list)
        self.district_of: dict[int, int] = {}
        # Never offered as a possible duplicate: merged records, and the records this import
        # writes itself (the preview cannot know them, and decisions follow the preview).
        self.not_duplicates: set[int] = set()
        for pk, name, district_id, fai_code, company_id, merged in Project.objects.values_list(
            "id", "name", "district_id", "fai_code", "company_id", "merged_into_id"
        ).iterator(chunk_size=20000):
            self.add_project(pk, name, district_id, fai_code, company_id)
            if merged is not None:
                self.not_duplicates.add(pk)
        self.company_by_uscc: dict[str, int] = {}
        self.company_by_name: dict[str, int] = {}
        self.company_uscc: dict[int, str | None] = {}
        self.company_name: dict[int, str] = {}
        for pk, uscc, normalized in Company.objects.values_list(
            "id", "uscc", "name_normalized"
        ).iterator(chunk_size=20000):
            self.add_company(pk, uscc, normalized)
        self.new_companies: dict[tuple[str, str], _NewCompany] = {}
        self.district_names = dict(OrgUnit.objects.values_list("id", "name"))

    def add_project(self, pk, name, district_id, fai_code, company_id, key=None) -> None:
        if key is None:
            key = normalize_project_name(name)
        if fai_code:
            self.by_fai.setdefault(fai_code.upper(), pk)
        if company_id:
            self.by_company_name.setdefault((company_id, key), pk)
            self.by_company[company_id].append(pk)
        self.by_district_name.setdefault((district_id, key), pk)
        self.by_name[key].append(pk)
        self.district_of[pk] = district_id

    def add_company(self, pk, uscc, normalized) -> None:
        if uscc:
            self.company_by_uscc.setdefault(uscc, pk)
        self.company_by_name.setdefault(normalized, pk)
        self.company_uscc[pk] = uscc
        self.company_name[pk] = normalized

    def company_for(self, name: str, uscc: str | None, region_id) -> int | _NewCompany | None:
        if not name and not uscc:
            return None
        if uscc and uscc in self.company_by_uscc:
            return self.company_by_uscc[uscc]
        normalized = _normalized_company(name) if name else ""
        if normalized and normalized in self.company_by_name:
            found = self.company_by_name[normalized]
            if not uscc or not self.company_uscc.get(found):
                return found
        key = ("uscc", uscc) if uscc else ("name", normalized)
        if key not in self.new_companies:
            self.new_companies[key] = _NewCompany(
                name=name or uscc or "", uscc=uscc, region_id=region_id
            )
        return self.new_companies[key]


# -- planning one row ------------------------------------------------------------------------


@dataclass
class _Plan:
    row: int
    values: dict
    problems: list[Problem]
    columns: dict[str, Column]
    district: OrgUnit | None = None
    district_id: int | None = None  # the district's pk (read for every row: no property)
    company: int | _NewCompany | None = None
    project_id: int | None = None
    action: str = "error"
    changes: dict[str, Any] = field(default_factory=dict)
    advance_to: str | None = None
    warnings: list[Problem] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)
    duplicates: list[dict] = field(default_factory=list)
    decision: dict | None = None  # the answer to the duplicate warning, when it had one
    cells: list | None = None  # the row as read (dropped once the row is planned)
    key: str | None = None  # the normalized project name, once matched

    def problem(self, field_name: str | None, value: object, message: str, *, warning=False):
        column = self.columns.get(field_name) if field_name else None
        if column is None and field_name in {"company", "uscc"}:
            column = self.columns.get("company") or self.columns.get("uscc")
        if column is not None and self.cells is not None:
            # The cell as the ledger shows it.
            value = shown(self.cells[column.index]) if column.index < len(self.cells) else ""
        elif column is not None and column.field in self.raw:
            value = self.raw[column.field]
        found = Problem(
            row=self.row,
            column=column.header if column else "",
            value="" if value is None else str(value),
            message=message,
            cell=f"{column.letter}{self.row}" if column else "",
        )
        (self.warnings if warning else self.problems).append(found)


def _comparable(value):
    if isinstance(value, models.Model):
        return value.pk
    return value


def _same(old, new) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return old is not None and new is not None and Decimal(old) == Decimal(new)
        except (TypeError, ValueError):
            return False
    return old == new


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label)


# Fields converted once per distinct cell: a ledger repeats its places, industries, stages,
# dates, amounts and people endlessly. The project and company names are mostly unique.
_UNCACHED_FIELDS = frozenset({"name", "company", "notes"})
_CACHE_LIMIT = 200_000


def _new_stage_log(
    stage: str, signed_on: datetime.date | None, stage_on: datetime.date | None, today
) -> tuple:
    """A new project's stage log as (stage, date) pairs: its signing, then its stage when that
    is past signing; or its stage alone when it is not signed."""
    if signed_on:
        if stage == Stage.SIGNED:
            return ((Stage.SIGNED, signed_on),)
        return ((Stage.SIGNED, signed_on), (stage, stage_on or today))
    return ((stage, stage_on or today),)


def _fitting_text(name: str, raw: str, limit: int) -> str | None:
    """A name, an investor, a note as RowConverter._one reads a text cell that fits and is not
    blank; None for any other (then _one decides, and says what is wrong)."""
    if name == "notes":
        text = raw.strip()
    elif normalize("NFKC", raw).strip().lower() in BLANK_MARKERS:
        return None
    else:
        text = " ".join(raw.split())
    return text if len(text) <= limit else None


class _CachedConverter(RowConverter):
    """The row converter with a memory of the cells it has read: the same cell in the same
    column gives the same value (or the same error) without parsing it again.

    ``convert`` is :meth:`RowConverter.convert` with the memory inlined (the import's hottest
    loop); keep the two in step.
    """

    def __init__(self, columns: list[Column], resolver: ValueResolver, cache: dict | None = None):
        super().__init__(columns, resolver)
        self.cache = {} if cache is None else cache
        # (column, field, position, the column's memory or None, the text limit of an uncached
        # field): one memory per column, keyed by the cell (a text as it is, anything else with
        # its type: 1 is not True).
        self.steps = [
            (
                column,
                column.field,
                column.index,
                None
                if column.field in _UNCACHED_FIELDS
                else self.cache.setdefault((column.field, column.unit, column.index), {}),
                TEXT_LIMITS[column.field] if column.field in _UNCACHED_FIELDS else 0,
            )
            for column in self.columns
        ]

    def _fresh(self, name: str, raw: object, column: Column, out: RowValues, memory, key):
        """Convert a cell not seen before (its values, or the error) and remember it."""
        found: dict = {}
        try:
            RowConverter._one(self, name, raw, column, found, out)
            hit: object = found
        except ValidationError as exc:
            hit = exc
        if len(memory) >= _CACHE_LIMIT:
            memory.clear()
        memory[key] = hit
        return hit

    def convert(self, number: int, cells: list) -> RowValues:
        out = RowValues(row=number, columns=self.by_field, cells=cells)
        values = out.values
        width = len(cells)
        one = RowConverter._one
        for column, name, index, memory, limit in self.steps:
            raw = cells[index] if index < width else None
            if memory is None:
                if raw.__class__ is str:
                    text = _fitting_text(name, raw, limit)
                    if text is not None:
                        values[name] = text
                        continue
                try:
                    one(self, name, raw, column, values, out)
                except ValidationError as exc:
                    out.problem(name, raw, _message(exc))
                continue
            key = raw if raw.__class__ is str else (raw.__class__, raw)
            hit = memory.get(key)
            if hit is None:
                hit = self._fresh(name, raw, column, out, memory, key)
            if hit.__class__ is dict:
                values.update(hit)  # type: ignore[arg-type]
            else:
                out.problem(name, raw, _message(hit))  # type: ignore[arg-type]
        if "name" in self.by_field and not values.get("name"):
            cell = self.by_field["name"]
            raw = cells[cell.index] if cell.index < width else None
            if not any(p.column == cell.header for p in out.problems):
                out.problem("name", raw, _("The project name is empty."))
        # Category from the industry direction when the ledger does not give one.
        if values.get("category") is None and values.get("industry") is not None:
            values["category"] = values["industry"].category
        return out


# The ledger fields the create-only path takes (each written as the plain path writes it).
_FAST_FIELDS = frozenset(
    {
        "name",
        "company",
        "uscc",
        "signing_region",
        "controller_name",
        "controller_region",
        "total_investment",
        "foreign_investment",
        "industry",
        "category",
        "kind",
        "signed_on",
        "district",
        "stage",
        "first_contact",
        "responsible_person",
        "channel",
        "fai_code",
        "fai_on",
        "notes",
        "land_mu",
        "jobs",
        "expected_output",
        "expected_tax",
        "task_force",
        "linked_leader",
        "introducer",
    }
)


# The fields a stage requires that the ledger gives as they are (projects.rules).
_REQUIRED_FIELDS = frozenset(
    requirement.field for stage in Stage for requirement in requirements_for(stage)
) - {"name", "district", "agreement", "company", "company.uscc", "source", "responsible_unit"}


@dataclass
class _FastChunk:
    """A chunk of plain new rows, column by column (the create-only path of a first load)."""

    numbers: list[int]
    fields: dict[str, list]  # ledger field → the rows' values (None: not given)
    names: list[str]
    keys: list[str]  # the normalized project names
    district_ids: list[int]
    companies: list  # int | _NewCompany | None
    stages: list[str]

    @property
    def row_count(self) -> int:
        return len(self.numbers)


class _Planner:
    def __init__(
        self,
        *,
        user,
        district: OrgUnit | None,
        columns: list[Column],
        cache: dict | None = None,
        duplicates: bool = True,
        decisions: dict | None = None,
        undecided_reason: str = "",
    ):
        self.user = user
        self.report_duplicates = duplicates
        self.decisions = {int(row): answer for row, answer in (decisions or {}).items()}
        self.undecided_reason = (undecided_reason or "").strip()[:300]
        self.district = district
        self.columns = columns
        self.mapped = {c.field for c in columns if c.field}
        self.resolver = ValueResolver()
        self.converter = _CachedConverter(columns, self.resolver, cache)
        self.index = _Index()
        self.allowed_districts = set(scoping.districts_for_entry(user).values_list("id", flat=True))
        self.changeable_all = scoping.changes_everything(user)
        self._allowed_units: set[int] | None = None
        self.seen: dict[tuple, int] = {}
        self.today = timezone.localdate()
        self.requirements: dict[str, list] = {}
        self.place_names: dict[int, str] = {}
        self.locked: set | None = None
        # A first load (no project in the database): no row can match or duplicate a project
        # that was there before, so a chunk of plain new rows may take the create-only path
        # (fast_chunk).
        self.first_load = not self.index.district_of
        self._fast_columns: list[Column] | None = None

    # -- the create-only path of a first load ----------------------------------------------------

    def _fast_ready(self) -> bool:
        """The ledger's columns allow the create-only path: each field once, and none whose rows
        the plain path checks against each other or reshapes (status, lost-to place, responsible
        unit)."""
        if self._fast_columns is None:
            columns = self.converter.columns
            fields = [c.field for c in columns]
            ok = (
                self.first_load
                and len(set(fields)) == len(fields)
                and set(fields) <= _FAST_FIELDS
                and "name" in fields
            )
            self._fast_columns = columns if ok else []
        return bool(self._fast_columns)

    def fast_chunk(self, chunk: list[tuple[int, list]]) -> _FastChunk | None:
        """The chunk's rows as the create-only path writes them, when every row is a plain new
        project (the plain path would give it no problem, no warning and no possible duplicate);
        None otherwise: the chunk then goes through :meth:`plan` (what this left behind — cells
        in the converter's memory, the new companies of the rows before, found by company_for —
        is what plan() leaves for the same rows, in the same order).

        Equal to what plan/resolve_updates/_Writer give such rows (tests/ledger/
        test_import_fast.py compares the two on ledgers with errors and duplicates in them). A
        check added to plan() must be added here too, or be one this path declines (a field
        left out of _FAST_FIELDS sends every chunk of its ledgers to plan())."""
        if not self._fast_ready():
            return None
        if self.locked is None:
            self.locked = locked_months()
        if self.locked:
            return None
        converter = self.converter
        one = RowConverter._one
        scratch = RowValues(row=0, columns=converter.by_field)
        count = len(chunk)
        fields: dict[str, list] = {}
        # Column by column: each cell's values from the converter's memory (a cell not seen
        # before is converted and remembered as convert() does); any cell in error sends the
        # chunk to the plain path, which reports it.
        rows = [cells for _number, cells in chunk]
        width = len(rows[0])
        if all(len(cells) == width for cells in rows) and width > max(
            step[2] for step in converter.steps
        ):
            by_index = list(zip(*rows, strict=True))  # the chunk's columns, transposed at once
        else:
            by_index = None
        for column, name, index, memory, limit in converter.steps:
            if by_index is not None:
                raws = by_index[index]
            else:
                raws = [cells[index] if index < len(cells) else None for cells in rows]
            if memory is None:
                out = []
                for raw in raws:
                    if raw.__class__ is str:
                        text = _fitting_text(name, raw, limit)
                        if text is not None:
                            out.append(text)
                            continue
                    found: dict = {}
                    try:
                        one(converter, name, raw, column, found, scratch)
                    except ValidationError:
                        return None
                    out.append(found[name])
                fields[name] = out
                continue
            keys = [raw if raw.__class__ is str else (raw.__class__, raw) for raw in raws]
            hits = list(map(memory.get, keys))
            if None in hits:
                for i, hit in enumerate(hits):
                    if hit is None:
                        key = keys[i]
                        hit = memory.get(key)
                        if hit is None:
                            hit = converter._fresh(name, raws[i], column, scratch, memory, key)
                        hits[i] = hit
            # Each distinct value once: an error, or a progress word read as a status, sends
            # the chunk to the plain path.
            for hit in {id(hit): hit for hit in hits}.values():
                if hit.__class__ is not dict or (len(hit) != 1 and name != "foreign_investment"):
                    return None
            # A hit holds the column's own field (and, for foreign investment, its currency).
            fields[name] = list(map(operator.itemgetter(name), hits))
            if name == "foreign_investment":
                fields["foreign_currency"] = [hit.get("foreign_currency") for hit in hits]
        return self._fast_rows(chunk, fields, count)

    def _fast_rows(self, chunk, fields: dict[str, list], count: int) -> _FastChunk | None:
        """The row checks of plan() for new rows, on the chunk's columns; None at the first row
        the plain path would not simply create."""
        index, seen = self.index, self.seen
        names = fields["name"]
        if not all(names):
            return None  # "The project name is empty."
        none = [None] * count
        # The category from the industry direction when the ledger gives none (convert(); a
        # row's values then hold a category only where the ledger or the industry gave one).
        category_column = "category" in fields
        if category_column or "industry" in fields:
            fields["category"] = [
                category if category is not None or industry is None else industry.category
                for category, industry in zip(
                    fields.get("category", none), fields.get("industry", none), strict=True
                )
            ]
        own, allowed = self.district, self.allowed_districts
        district_ids = []
        for district in fields.get("district", none):
            district = district or own
            if district is None:
                return None
            if (own is not None and district.pk != own.pk) or district.pk not in allowed:
                return None
            district_ids.append(district.pk)
        companies_given = fields.get("company", none)
        usccs = fields.get("uscc", none)
        faicodes = fields.get("fai_code", none)
        regions = fields.get("signing_region", none)
        signed_ons = fields.get("signed_on", none)
        stages = fields.get("stage", none)
        # The requirement checks (_missing) read only these values: a small dict a row.
        checked = [
            name
            for name in sorted(_REQUIRED_FIELDS | {"signing_region", "controller_region", "uscc"})
            if name in fields and name != "category"
        ]
        checked_columns = [fields[name] for name in checked]
        # What the checks see of each row: whether each of those values is given, and whether
        # the row's values hold a category (0: none, 1: None, 2: one).
        presence = (
            list(
                zip(
                    *[[v is not None and v != "" for v in column] for column in checked_columns],
                    strict=True,
                )
            )
            or [()] * count
        )
        categories = fields.get("category")
        category_states = (
            [0] * count
            if categories is None
            else [
                (1 if value is None else 2) if category_column or value is not None else 0
                for value in categories
            ]
        )
        today, signed_rank = self.today, stage_rank(Stage.SIGNED)
        by_fai, by_company_name = index.by_fai, index.by_company_name
        by_district_name = index.by_district_name
        fresh: dict[tuple, int] = {}
        companies, keys, final_stages = [], [], []
        missing_memo: dict[tuple, bool] = {}
        stand_in = _Plan(row=0, values={}, problems=[], columns={})
        for i, (number, _cells) in enumerate(chunk):
            signed_on = signed_ons[i]
            stage = stages[i] or (Stage.SIGNED if signed_on else Stage.LEAD)
            if stage_rank(stage) >= signed_rank and not signed_on:
                return None
            if signed_on and signed_on > today:
                return None
            region = regions[i]
            company = index.company_for(
                companies_given[i] or "", usccs[i], region.pk if region else None
            )
            # _match: nothing before this import can match; anything found is a row of it.
            name = names[i]
            key = normalize_project_name(name)
            district_id = district_ids[i]
            identities = []
            fai = (faicodes[i] or "").upper()
            if fai:
                if by_fai.get(fai) is not None:
                    return None
                identities.append(("fai", fai))
            if usccs[i] and company.__class__ is int:
                if by_company_name.get((company, key)) is not None:
                    return None
                identities.append(("uscc", usccs[i], key))
            if by_district_name.get((district_id, key)) is not None:
                return None
            identities.append(("name", district_id, key))
            for identity in identities:
                if identity in seen or identity in fresh:
                    return None
            for identity in identities:
                fresh[identity] = number
            # _report_missing, remembered by what it reads.
            uscc_known = bool(
                (company.__class__ is int and index.company_uscc.get(company))
                or (isinstance(company, _NewCompany) and company.uscc)
            )
            memo_key = (stage, company is None, uscc_known, category_states[i], presence[i])
            bad = missing_memo.get(memo_key)
            if bad is None:
                values = {
                    name: column[i] for name, column in zip(checked, checked_columns, strict=True)
                }
                if category_states[i]:
                    values["category"] = categories[i]  # type: ignore[index]
                values["name"] = name
                stand_in.values, stand_in.company = values, company
                bad = missing_memo[memo_key] = bool(self._missing(stand_in, stage, None))
            if bad:
                return None
            companies.append(company)
            keys.append(key)
            final_stages.append(stage)
        seen.update(fresh)
        numbers = [number for number, _cells in chunk]
        return _FastChunk(
            numbers=numbers,
            fields=fields,
            names=names,
            keys=keys,
            district_ids=district_ids,
            companies=companies,
            stages=final_stages,
        )

    def plan(self, number: int, cells: list) -> _Plan:
        converted: RowValues = self.converter.convert(number, cells)
        plan = _Plan(
            row=number,
            values=converted.values,
            problems=converted.problems,
            columns=converted.columns,
            raw=converted.raw,
            cells=converted.cells,
        )
        values = plan.values
        # The district: the row's, else the one the import is for.
        district = values.get("district") or self.district
        if district is None:
            if "district" in values or "district" not in self.mapped:
                plan.problem(
                    "district",
                    None,
                    _("The row names no district, and no district was chosen for the import."),
                )
        else:
            plan.district_id = district.pk
            if self.district is not None and plan.district_id != self.district.pk:
                plan.problem(
                    "district",
                    district.name,
                    _("The row is for %(row)s, but this import is for %(district)s.")
                    % {"row": district.name, "district": self.district.name},
                )
            elif plan.district_id not in self.allowed_districts:
                plan.problem(
                    "district",
                    district.name,
                    _("You may not import projects into %(district)s.")
                    % {"district": district.name},
                )
        plan.district = district
        if district is not None and values.get("responsible_unit") is not None:
            self._check_unit(plan, values["responsible_unit"], district)
        if plan.problems:
            return self._finish(plan)

        region = values.get("signing_region")
        plan.company = self.index.company_for(
            values.get("company", ""), values.get("uscc"), region.pk if region else None
        )
        self._match(plan)
        if not plan.problems:
            if plan.project_id is None:
                self._check_new(plan)
            else:
                self._diff(plan)
        return self._finish(plan)

    def _check_unit(self, plan: _Plan, unit: OrgUnit, district: OrgUnit) -> None:
        """The responsible unit (责任单位): the district's own or a city-level unit, and one the
        user may name (as on the project form)."""
        if self._allowed_units is None:
            self._allowed_units = set(
                scoping.units_for_entry(self.user).values_list("id", flat=True)
            )
        if unit.district_id not in (None, district.pk):
            plan.problem(
                "responsible_unit",
                unit.name,
                _("%(unit)s belongs to another district; the project is in %(district)s.")
                % {"unit": unit.name, "district": district.name},
            )
        elif unit.pk not in self._allowed_units:
            plan.problem(
                "responsible_unit",
                unit.name,
                _("You may not name %(unit)s as the responsible unit.") % {"unit": unit},
            )

    def _check_status(self, plan: _Plan, existing: Project | None) -> None:
        """A status other than 推进中 needs its reason (the ledger's, else the ledger's word) and
        流失 the place the project went to, as projects.services.project_set_status asks."""
        values = plan.values
        status = values.get("status")
        if status is None:
            values.pop("status", None)
            if not (existing is not None and existing.status == Status.LOST):
                values.pop("lost_to", None)
            return
        if existing is not None and status == existing.status and not values.get("status_reason"):
            values.pop("status_reason", None)
        elif status != Status.ACTIVE and not values.get("status_reason"):
            values["status_reason"] = f"{IMPORT_NOTE}：{values.get('status_word', '')}"[:300]
        if status == Status.LOST:
            if values.get("lost_to") is None and not (existing and existing.lost_to_id):
                plan.problem(
                    "status",
                    values.get("status_word"),
                    _(
                        "A lost project (流失) needs the place it went to: add a 流失去向 column "
                        "with a city or country."
                    ),
                )
            elif values.get("lost_to") is None:
                values.pop("lost_to", None)
        else:
            values.pop("lost_to", None)

    def _finish(self, plan: _Plan) -> _Plan:
        if plan.problems:
            plan.action = "error"
        return plan

    def _match(self, plan: _Plan) -> None:
        values, index = plan.values, self.index
        key = plan.key = normalize_project_name(values.get("name") or "")
        company_id = plan.company if isinstance(plan.company, int) else None
        identities = []
        found = None
        fai = (values.get("fai_code") or "").upper()
        if fai:
            identities.append(("fai", fai))
            found = index.by_fai.get(fai)
            if found is not None and index.district_of[found] != plan.district_id:
                plan.problem(
                    "fai_code",
                    fai,
                    _(
                        "The investment project code %(code)s already belongs to project #%(id)s in "
                        "%(district)s."
                    )
                    % {
                        "code": fai,
                        "id": found,
                        "district": index.district_names.get(index.district_of[found], ""),
                    },
                )
                return
        if found is None and values.get("uscc") and company_id is not None:
            identities.append(("uscc", values["uscc"], key))
            candidate = index.by_company_name.get((company_id, key))
            if candidate is not None and index.district_of[candidate] == plan.district_id:
                found = candidate
        if found is None:
            candidate = index.by_district_name.get((plan.district_id, key))
            found = candidate
        identities.append(("name", plan.district_id, key))
        for identity in identities:
            if identity in self.seen:
                plan.problem(
                    "name",
                    values.get("name"),
                    _("The same project is already in row %(row)s of this file.")
                    % {"row": self.seen[identity]},
                )
                return
        for identity in identities:
            self.seen[identity] = plan.row
        plan.project_id = found

    def _missing(self, plan: _Plan, stage: str, existing: Project | None) -> list[str]:
        values = plan.values
        missing = []
        if stage not in self.requirements:
            self.requirements[stage] = requirements_for(stage)
        for requirement in self.requirements[stage]:
            name = requirement.field
            if name == "agreement" or name == "name" or name == "district":
                continue
            if name == "company":
                ok = plan.company is not None or (existing is not None and existing.company_id)
            elif name == "company.uscc":
                ok = (
                    bool(values.get("uscc"))
                    or (
                        isinstance(plan.company, int)
                        and bool(self.index.company_uscc.get(plan.company))
                    )
                    or (isinstance(plan.company, _NewCompany) and bool(plan.company.uscc))
                )
            elif name == "source":
                ok = bool(values.get("signing_region") or values.get("controller_region")) or (
                    existing is not None
                    and "signing_region" not in values
                    and bool(existing.signing_region_id or existing.controller_region_id)
                )
            elif name == "responsible_unit":
                ok = True  # the district itself when the ledger names no unit
            elif name == "category":
                ok = values.get("category") is not None or "category" not in values
            elif name in values:
                # As ``not in (None, "")``, without a record's __eq__ for a record.
                value = values[name]
                ok = value is not None and not (isinstance(value, str) and not value)
            else:
                ok = existing is not None and getattr(existing, name, None) not in (None, "")
            if not ok:
                missing.append(name)
        return missing

    def _report_missing(self, plan: _Plan, stage: str, existing: Project | None) -> None:
        missing = self._missing(plan, stage, existing)
        if not missing:
            return
        labels = "、".join(str(_label_of(m)) for m in missing)
        message = _("To reach %(stage)s the project still needs: %(fields)s.") % {
            "stage": _stage_label(stage),
            "fields": labels,
        }
        first = next((m for m in missing if m in plan.columns), None)
        if first is not None:
            plan.problem(first, plan.values.get(first), message)
        else:
            plan.problem("stage", plan.values.get("stage"), message)

    def _check_new(self, plan: _Plan) -> None:
        values = plan.values
        if "status" in values or "lost_to" in values:
            self._check_status(plan, None)
        stage = values.get("stage") or (Stage.SIGNED if values.get("signed_on") else Stage.LEAD)
        values["stage"] = stage
        if stage_rank(stage) >= stage_rank(Stage.SIGNED) and not values.get("signed_on"):
            plan.problem(
                "signed_on",
                None,
                _("A project at %(stage)s needs its signing date (签约时间).")
                % {"stage": _stage_label(stage)},
            )
        if values.get("signed_on") and values["signed_on"] > self.today:
            plan.problem("signed_on", values["signed_on"], _("The signing date is in the future."))
        self._report_missing(plan, stage, None)
        if not plan.problems:
            plan.action = "create"
            self._duplicates(plan)

    def _diff(self, plan: _Plan) -> None:
        plan.action = "compare"  # decided in resolve_updates, which fetches the projects

    def _duplicates(self, plan: _Plan) -> list[dict]:
        """The projects of other districts the row may duplicate: the same investor's, then the
        same name's (at most :data:`MAX_DUPLICATES_PER_ROW`)."""
        found: list[dict] = []
        if not self.report_duplicates:
            return found
        index = self.index
        skip = index.not_duplicates
        if len(skip) == len(index.district_of):
            # Every project known is one never offered (merged, or written by this import: a
            # first load): nothing below could be found.
            return found
        if isinstance(plan.company, int):
            for pk in index.by_company.get(plan.company, []):
                if (
                    pk != plan.project_id
                    and pk not in skip
                    and index.district_of[pk] != plan.district_id
                ):
                    found.append(
                        {
                            "row": plan.row,
                            "project_id": pk,
                            "kind": "investor",
                            "reason": _("The same investor has project #%(id)s in %(district)s.")
                            % {
                                "id": pk,
                                "district": index.district_names.get(index.district_of[pk]),
                            },
                        }
                    )
        key = plan.key
        if key is None:
            key = normalize_project_name(plan.values.get("name") or "")
        for pk in index.by_name.get(key, []):
            if (
                pk != plan.project_id
                and pk not in skip
                and index.district_of[pk] != plan.district_id
                and not any(d["project_id"] == pk for d in found)
            ):
                found.append(
                    {
                        "row": plan.row,
                        "project_id": pk,
                        "kind": "name",
                        "reason": _("Project #%(id)s in %(district)s has the same name.")
                        % {"id": pk, "district": index.district_names.get(index.district_of[pk])},
                    }
                )
        plan.duplicates = found[:MAX_DUPLICATES_PER_ROW]
        return found

    def decide(self, plans: list[_Plan]) -> None:
        """Apply the person's answers to the rows that would create a possible duplicate: "a
        different investment" (with its reason) or "the same project" (a conflict is opened
        when the row is written). A row nobody answered for is held — not written — unless the
        import was told to take every unanswered row as a different investment."""
        for plan in plans:
            if plan.action != "create" or not plan.duplicates:
                continue
            answer = self.decisions.get(plan.row)
            if answer is not None:
                try:
                    plan.decision = check_row_decision(
                        answer, [d["project_id"] for d in plan.duplicates]
                    )
                except ValidationError as exc:
                    plan.problem(None, None, _message(exc), warning=True)
                    answer = None
            if answer is None:
                if self.undecided_reason:
                    plan.decision = {
                        "decision": DuplicateDecision.DISTINCT,
                        "reason": self.undecided_reason,
                        "same_as": None,
                    }
                else:
                    plan.action = "held"

    def resolve_updates(self, plans: list[_Plan]) -> None:
        """Compare the rows that match a project with it: update, unchanged, or error."""
        ids = [p.project_id for p in plans if p.action == "compare"]
        projects = Project.objects.in_bulk(ids)
        for plan in plans:
            if plan.action != "compare":
                continue
            project = projects[plan.project_id]
            if not self.changeable_all and not scoping.can_change_project(self.user, project):
                plan.problem(
                    "name",
                    plan.values.get("name"),
                    _("You may not change project #%(id)s.") % {"id": project.pk},
                )
                plan.action = "error"
                continue
            self._compare(plan, project)
            plan.action = "update" if plan.changes or plan.advance_to else "unchanged"
            if plan.problems:
                plan.action = "error"
            else:
                self._duplicates(plan)
        self.decide(plans)
        # 定版锁库: rows touching a locked month (the locks as the import found them: read once,
        # not a query a chunk while the chunk before is being written).
        if self.locked is None:
            self.locked = locked_months()
        check_import_plans(plans, projects=projects, locked=self.locked)

    def _place_name(self, region_id: int) -> str:
        if region_id not in self.place_names:
            region = (
                Region.objects.select_related("city__province", "province", "parent")
                .filter(pk=region_id)
                .first()
            )
            self.place_names[region_id] = region.full_name if region is not None else ""
        return self.place_names[region_id]

    def _same_place(self, old: int | None, new: int | None) -> bool:
        """A ledger cannot tell apart places of the same name (上海市 the province-level
        municipality and 上海市 its city): the same name is no change."""
        if old is None or new is None or old == new:
            return old == new
        return self._place_name(old) == self._place_name(new)

    def _same_investor(self, plan: _Plan, project: Project) -> bool:
        """The row names, without a credit code, the investor the project already has (two
        company records of the same name): no change."""
        name = plan.values.get("company") or ""
        return (
            project.company_id is not None
            and not plan.values.get("uscc")
            and bool(name)
            and self.index.company_name.get(project.company_id) == _normalized_company(name)
        )

    def _compare(self, plan: _Plan, project: Project) -> None:
        values = plan.values
        if "status" in values or "lost_to" in values:
            self._check_status(plan, project)
        for name, attr in PROJECT_FIELDS.items():
            if name not in values:
                continue
            new = _comparable(values[name])
            if name in ("category", "responsible_unit") and new is None:
                continue
            if name == "foreign_currency" and values.get("foreign_investment") is None:
                continue
            if name in {"kind"} and new is None:
                new = Kind.NEW
            if name in _REGION_FIELDS and self._same_place(getattr(project, attr), new):
                continue
            if not _same(getattr(project, attr), new):
                plan.changes[attr.removesuffix("_id")] = values[name]
        if values.get("name") and values["name"] != project.name:
            plan.changes["name"] = values["name"]  # matched by code: the ledger renamed it
        if (
            plan.company is not None
            and (not isinstance(plan.company, int) or plan.company != project.company_id)
            and not self._same_investor(plan, project)
        ):
            plan.changes["company"] = plan.company
        stage = values.get("stage")
        if stage and stage != project.stage:
            if stage_rank(stage) > stage_rank(project.stage):
                plan.advance_to = stage
            else:
                plan.problem(
                    "stage",
                    stage,
                    _(
                        "The ledger says %(ledger)s, but the project is already at %(current)s; the "
                        "stage is left as it is."
                    )
                    % {"ledger": _stage_label(stage), "current": _stage_label(project.stage)},
                    warning=True,
                )
        signed_on = values.get("signed_on")
        if signed_on and project.first_signed_on and signed_on != project.first_signed_on:
            plan.problem(
                "signed_on",
                signed_on,
                _(
                    "The project was first signed on %(on)s; that date never moves, so the ledger's "
                    "date is not taken."
                )
                % {"on": project.first_signed_on.isoformat()},
                warning=True,
            )
        target = plan.advance_to or project.stage
        self._report_missing(plan, target, project)


def check_row_decision(answer: dict, project_ids: list[int]) -> dict:
    """An answer to a row's duplicate warning, checked: ``{"decision": "distinct", "reason": …}``
    (the reason is required) or ``{"decision": "same", "same_as": id}`` (one of
    ``project_ids``, the row's possible duplicates; the first when not named)."""
    decision = (answer.get("decision") or "").strip()
    reason = (answer.get("reason") or "").strip()[:300]
    if decision == DuplicateDecision.DISTINCT:
        if not reason:
            raise ValidationError(
                _(
                    "Give the reason why this is a different investment (e.g. a new plant, a "
                    "different product line)."
                ),
                code="reason",
            )
        return {"decision": DuplicateDecision.DISTINCT, "reason": reason, "same_as": None}
    if decision == DuplicateDecision.SAME:
        same_as = answer.get("same_as")
        try:
            same_as = int(same_as) if same_as not in (None, "") else project_ids[0]
        except (TypeError, ValueError):
            same_as = None
        if same_as not in project_ids:
            raise ValidationError(
                _("Project #%(id)s is not among the warnings; choose one of them.")
                % {"id": answer.get("same_as")},
                code="same_as",
            )
        return {"decision": DuplicateDecision.SAME, "reason": reason, "same_as": same_as}
    raise ValidationError(_("Unknown answer “%(value)s”.") % {"value": decision}, code="decision")


def _label_of(field_name: str):
    return FIELD_LABELS.get(
        {"source": "signing_region", "company.uscc": "uscc"}.get(field_name, field_name),
        field_name,
    )


# -- writing ---------------------------------------------------------------------------------


class _Table:
    """Plain multi-row INSERTs into one model's table (and its simple_history table), without
    building model instances: the import's hot path. Values are given by attname; a field left
    out takes its default. Only non-callable defaults and the values given are written, exactly
    what ``bulk_create`` would write for the import's rows."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = [
            f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)
        ]
        ops = connection.ops
        self.adapters = {
            f.attname: ops.adapt_datetimefield_value
            for f in self.fields
            if f.get_internal_type() == "DateTimeField"
        }
        for f in self.fields:
            if f.get_internal_type() == "JSONField":
                self.adapters[f.attname] = lambda value, f=f: f.get_db_prep_save(value, connection)
        quote = ops.quote_name
        self.returning = f" RETURNING {quote(model._meta.pk.column)}"
        self.table = quote(model._meta.db_table)
        self.pk_column = model._meta.pk.column
        # SQLite: the columns whose values the driver would adapt one by one while it binds
        # them (a Decimal, a date through the adapters Django registers; a choice, a str
        # subclass, after looking for an adapter in vain), in the writing thread and holding
        # the interpreter lock: given as plain text instead (see _plain).
        self.plain_positions = [
            i
            for i, f in enumerate(self.fields)
            if f.get_internal_type() in ("DecimalField", "DateField")
            or (f.get_internal_type() == "CharField" and f.choices)
        ]
        self.columns = [f.column for f in self.fields]
        self.column_list = ", ".join(quote(f.column) for f in self.fields)

    def insert(self, rows: list[dict], *, returning: bool = True) -> list[int]:
        """Insert ``rows`` (attname → value); the new primary keys in the same order."""
        if not rows:
            return []
        attnames = [f.attname for f in self.fields]
        defaults = {f.attname: f.get_default() for f in self.fields}
        values = list(self._values(rows, attnames, defaults, self.adapters))
        return self.insert_values(values, returning=returning)

    def layout(self) -> tuple[list, dict[str, int]]:
        """A row of defaults in column order (adapted as :meth:`insert` adapts them) and the
        position of each attname: for callers that build the value rows themselves."""
        row = []
        for f in self.fields:
            value = f.get_default()
            adapt = self.adapters.get(f.attname)
            row.append(adapt(value) if adapt is not None and value is not None else value)
        return row, {f.attname: i for i, f in enumerate(self.fields)}

    def new_record(self, now, user_id: int | None) -> tuple[list, dict[str, int]]:
        """:meth:`layout` for a new tracked record (Project, Company): version 1, created and
        updated ``now`` by ``user_id``."""
        row, at = self.layout()
        row[at["version"]] = 1
        row[at["created_at"]] = row[at["updated_at"]] = self.adapt("created_at", now)
        row[at["created_by_id"]] = user_id
        return row, at

    def adapt(self, attname: str, value):
        """``value`` as :meth:`insert` writes it into ``attname`` (a datetime, a JSON value)."""
        adapt = self.adapters.get(attname)
        return adapt(value) if adapt is not None and value is not None else value

    def insert_values(
        self,
        values: list,
        *,
        returning: bool = True,
        varying: Iterable[int] | None = None,
        plain: bool = True,
    ) -> list[int]:
        """Insert rows given as their values in column order (see :meth:`layout`), adapted;
        the new primary keys in the same order. ``varying``: the positions whose values may
        differ from row to row; the others hold the same value in every row (the layout's),
        which SQLite is then given once in the statement's text rather than bound in each row
        (binding is most of what an INSERT costs the driver, under the interpreter lock).
        ``plain=False``: the caller gave SQLite's amounts, dates and choices as plain text
        already (:class:`_PlainText`)."""
        if not values:
            return []
        sqlite = connection.vendor == "sqlite"
        if sqlite and plain and self.plain_positions:
            _plain(values, self.plain_positions)
        pipe = pipeline.active()
        if not sqlite:
            columns, count = varying_columns(values, varying), len(values)
            if pipe is None:
                return self._copy(columns, values[0], count, returning=returning)
            ids = pipe.new_ids(self.model, count) if returning else []
            self._submit_copy(pipe, ids, columns, values[0], count)
            return ids
        if pipe is not None:
            ids = pipe.new_ids(self.model, len(values)) if returning else []
            pipe.execute(self._statements(values, ids, varying))
            return ids
        ids = []
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for sql, params in self._statements(values, None, varying):
                if returning:
                    sqlite3.Cursor.execute(raw, sql + self.returning, params)
                    ids.extend(pk for (pk,) in raw.fetchall())
                else:
                    sqlite3.Cursor.execute(raw, sql, params)
        return ids

    def _statements(
        self, values: list, ids: list[int] | None, varying: Iterable[int] | None
    ) -> list[tuple[str, list]]:
        """SQLite: multi-row INSERTs of ``values`` (with the primary keys ``ids`` when given),
        the driver's "?" placeholders for the bound values — given straight to the sqlite3
        cursor: Django would rewrite a statement of thousands of "%s" with a regular expression
        each time — and SQL literals for the values the rows share (see :meth:`insert_values`)."""
        width = len(self.fields)
        first = values[0]
        varies = set(range(width) if varying is None else varying)
        shared = {
            i: text
            for i in range(width)
            if i not in varies and (text := _sql_literal(first[i])) is not None
        }
        bound = [i for i in range(width) if i not in shared]
        marks = [shared.get(i, "?") for i in range(width)]
        columns = self.column_list
        if ids:
            marks.insert(0, "?")
            columns = f"{connection.ops.quote_name(self.pk_column)}, {columns}"
        row_marks = "(" + ", ".join(marks) + ")"
        head = f"INSERT INTO {self.table} ({columns}) VALUES "
        per = max(1, min(2000, _max_params() // max(1, len(bound) + (1 if ids else 0))))
        pick = operator.itemgetter(*bound) if len(bound) > 1 else None
        statements: list[tuple[str, list]] = []
        for start in range(0, len(values), per):
            chunk = values[start : start + per]
            params: list = []
            if pick is None:
                picked = [[row[i] for i in bound] for row in chunk]
            else:
                picked = map(pick, chunk)
            if ids:
                for pk, row_values in zip(ids[start : start + per], picked, strict=True):
                    params.append(pk)
                    params.extend(row_values)
            else:
                for row_values in picked:
                    params.extend(row_values)
            statements.append((head + ", ".join([row_marks] * len(chunk)), params))
        return statements

    @staticmethod
    def _values(rows: list[dict], attnames: list[str], defaults: dict, adapters: dict):
        """Each row's values in column order (defaults filled in, dates and JSON adapted; an
        adapted value is remembered, as every row of an import has the same timestamps)."""
        getter = operator.itemgetter(*attnames)
        adapting = [(i, adapters[name]) for i, name in enumerate(attnames) if name in adapters]
        memory: dict = {}
        for row in rows:
            values = getter({**defaults, **row})
            if adapting:
                values = list(values)
                for i, adapt in adapting:
                    value = values[i]
                    if value is None:
                        continue
                    try:
                        key = (i, value)
                        found = memory.get(key)
                    except TypeError:  # a JSON value: adapted each time
                        values[i] = adapt(value)
                        continue
                    if found is None:
                        found = memory[key] = adapt(value)
                    values[i] = found
            yield values

    def insert_columns(self, columns: dict[int, Sequence], shared: list, count: int) -> list[int]:
        """PostgreSQL: :meth:`insert_values` for ``count`` rows given as their columns — {position
        (see :meth:`layout`): the rows' values} for those that vary, ``shared`` (a row) for the
        rest — as the create-only path builds them: copied without being made into rows."""
        if not count:
            return []
        pipe = pipeline.active()
        if pipe is None:
            return self._copy(columns, shared, count)
        ids = pipe.new_ids(self.model, count)
        self._submit_copy(pipe, ids, columns, shared, count)
        return ids

    def _copy_data(
        self, ids: list[int] | None, columns: dict[int, Sequence], shared: list, count: int
    ) -> tuple[str, bytes]:
        """PostgreSQL: the COPY statement and its data for the rows (with their new ids, when
        given), built a column at a time by :class:`~yinli.core.copytext.CopyText` — each
        distinct value dumped once, not every value of every row by ``write_row`` under the
        interpreter lock in the writing thread."""
        quote = connection.ops.quote_name
        first = [(self.pk_column, ids)] if ids else []
        order, data = CopyText(connection.connection).column_data(
            self.columns, columns, shared, count, first=first
        )
        sql = f"COPY {self.table} ({', '.join(quote(name) for name in order)}) FROM STDIN"
        return sql, data

    def _submit_copy(
        self, pipe, ids: list[int], columns: dict[int, Sequence], shared: list, count: int
    ) -> None:
        """PostgreSQL: the rows copied in by the pipeline's thread."""
        sql, data = self._copy_data(ids, columns, shared, count)

        def copy(cursor) -> None:
            with cursor.copy(sql) as copy:
                copy.write(data)

        pipe.submit(copy)

    def _copy(
        self, columns: dict[int, Sequence], shared: list, count: int, *, returning: bool = True
    ) -> list[int]:
        """PostgreSQL: COPY … FROM STDIN, the fastest way in; the primary keys, when wanted, are
        taken from the table's sequence first and written with the rows."""
        ids: list[int] = []
        with connection.cursor() as cursor:
            if returning:
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)",
                    [self.model._meta.db_table, self.pk_column],
                )
                (sequence,) = cursor.fetchone()
                ids = pipeline.take_ids(cursor, sequence, count)
            sql, data = self._copy_data(ids, columns, shared, count)
            with cursor.cursor.copy(sql) as copy:  # the psycopg cursor under Django's wrapper
                copy.write(data)
        return ids


def _sql_literal(value) -> str | None:
    """``value`` written into a SQLite statement so that it is stored exactly as when bound
    (NULL, an integer, a text), or None for a value better bound."""
    if value is None:
        return "NULL"
    if value.__class__ is int:
        return str(value)
    if value.__class__ is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _plain_value(value):
    """What the sqlite3 driver binds for ``value``: a Decimal as its text (Django's adapter), a
    date in ISO form (Django's), a str subclass (a choice) as the plain str it holds."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return str.__str__(value)
    return value


def _plain(rows: list, positions: list[int]) -> None:
    """The values at ``positions`` of each row (a list) as :func:`_plain_value` gives them, each
    value object converted once (an import's rows share the objects of its dates, amounts and
    choices; by identity, the object kept with its text, so 2.50 stays "2.50" beside 2.5)."""
    memory: dict[int, tuple] = {}
    for row in rows:
        for i in positions:
            value = row[i]
            if value is None or value.__class__ is str:
                continue
            found = memory.get(id(value))
            if found is None or found[0] is not value:
                found = memory[id(value)] = (value, _plain_value(value))
            row[i] = found[1]


class _PlainText:
    """:func:`_plain_value` of one value at a time, each value object converted once (by
    identity, as :func:`_plain` does): for callers that build SQLite's rows as plain text."""

    def __init__(self) -> None:
        self.memory: dict[int, tuple] = {}

    def __call__(self, value):
        if value is None or value.__class__ is str:
            return value
        found = self.memory.get(id(value))
        if found is None or found[0] is not value:
            found = self.memory[id(value)] = (value, _plain_value(value))
        return found[1]


def _max_params() -> int:
    """The bound parameters one statement may carry (SQLite's own limit when it says)."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return connection.features.max_query_params
    return 65535


_TABLES: dict[type, _Table] = {}


def _table(model: type[models.Model]) -> _Table:
    key = (model, connection.vendor)
    if key not in _TABLES:
        _TABLES[key] = _Table(model)  # type: ignore[index]
    return _TABLES[key]  # type: ignore[index]


#: Ids per INSERT … SELECT of :func:`_copy_to_history` (SQLite binds each one).
_HISTORY_IDS_PER_STATEMENT = 2000


def _copy_to_history(model, ids: list[int], *, user, now, reason: str) -> None:
    """One "+" history row for each of the records ``ids``, copied by the database itself
    (INSERT … SELECT): what simple_history would write from the instances — every tracked
    column as stored — without sending the values back and forth."""
    if not ids:
        return
    history = model.history.model
    quote = connection.ops.quote_name
    tracked = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    target = [quote(f.column) for f in tracked]
    source = [quote(model._meta.get_field(f.name).column) for f in tracked]
    extra = {
        "history_date": connection.ops.adapt_datetimefield_value(now),
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": user.pk if user is not None else None,
    }
    target += [quote(history._meta.get_field(name).column) for name in extra]
    pk = quote(model._meta.pk.column)
    head = "INSERT INTO {} ({}) SELECT {}, {} FROM {} WHERE {} ".format(
        quote(history._meta.db_table),
        ", ".join(target),
        ", ".join(source),
        ", ".join(["%s"] * len(extra)),
        quote(model._meta.db_table),
        pk,
    )
    if connection.vendor == "postgresql":
        # The keys as a range when they follow each other (new keys do), else as the text of
        # an array: psycopg's dumper of a list is Python code a value, under the interpreter
        # lock of the pipeline's thread.
        if ids[-1] - ids[0] == len(ids) - 1 and ids == list(range(ids[0], ids[-1] + 1)):
            where, keys = f"BETWEEN %s AND %s ORDER BY {pk}", [ids[0], ids[-1]]
        else:
            where = f"= ANY(%s::bigint[]) ORDER BY {pk}"
            keys = ["{" + ",".join(map(str, ids)) + "}"]
        statements = [(f"{head} {where}", [*extra.values(), *keys])]
    else:
        statements = [
            (
                f"{head} IN ({', '.join(['%s'] * len(part))}) ORDER BY {pk}",
                [*extra.values(), *part],
            )
            for start in range(0, len(ids), _HISTORY_IDS_PER_STATEMENT)
            for part in [ids[start : start + _HISTORY_IDS_PER_STATEMENT]]
        ]
    pipe = pipeline.active()
    if pipe is not None:
        if connection.vendor == "sqlite":  # the driver's own placeholders
            statements = [(sql.replace("%s", "?"), params) for sql, params in statements]
        pipe.execute(statements)
        return
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _serialize(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class _Writer:
    """Writes planned rows; records what it did on a batch."""

    def __init__(self, *, user, planner: _Planner, file_name: str = ""):
        self.user = user
        self.planner = planner
        self.now = timezone.now()
        self.file_name = file_name
        self.conflicts: list[int] = []

    def write(self, plans: list[_Plan], batch: ImportBatch) -> None:
        creates = [p for p in plans if p.action == "create"]
        updates = [p for p in plans if p.action == "update"]
        created_companies = self._create_companies(creates + updates)
        opened = len(self.conflicts)
        created_projects = self._create_projects(creates)
        self._update_projects(updates, batch)
        ids = batch.created_ids
        if len(self.conflicts) > opened:
            ids.setdefault("projects.conflict", []).extend(self.conflicts[opened:])
        if created_companies:
            ids.setdefault("companies.company", []).extend(created_companies)
        if created_projects:
            ids.setdefault("projects.project", []).extend(created_projects)

    def _create_companies(self, plans: list[_Plan]) -> list[int]:
        return self._create_new_companies([plan.company for plan in plans])

    def _create_new_companies(self, companies: list) -> list[int]:
        """The new companies among ``companies`` (rows' companies, in row order), written."""
        index = self.planner.index
        pending: dict[int, _NewCompany] = {}
        for company in companies:
            if isinstance(company, _NewCompany) and company.pk is None:
                pending[id(company)] = company
        if not pending:
            return []
        # The rows' values in column order, built straight from a row of defaults (no dict a
        # row): the import's hot path, equal to what _Table.insert writes for the dicts
        # (tests/ledger/test_import_speed.py compares the two).
        table = _table(Company)
        template, at = table.new_record(self.now, self.user.pk)
        name_at, normalized_at, initials_at = (
            at["name"],
            at["name_normalized"],
            at["name_initials"],
        )
        uscc_at, region_at = at["uscc"], at["region_id"]
        rows = []
        for new in pending.values():
            name = " ".join(new.name.split())
            normalized = _normalized_company(name)
            row = template.copy()
            row[name_at] = name
            row[normalized_at] = normalized
            row[initials_at] = fast_initials(name, normalized)
            row[uscc_at] = new.uscc or None
            row[region_at] = new.region_id
            rows.append(row)
        ids = table.insert_values(
            rows, varying=[name_at, normalized_at, initials_at, uscc_at, region_at]
        )
        _copy_to_history(Company, ids, user=self.user, now=self.now, reason="import")
        for new, pk, row in zip(pending.values(), ids, rows, strict=True):
            new.pk = pk
            index.add_company(pk, row[uscc_at], row[normalized_at])
        for key in [k for k, v in index.new_companies.items() if v.pk is not None]:
            del index.new_companies[key]
        return ids

    def write_fast(self, chunk: _FastChunk, batch: ImportBatch) -> None:
        """:meth:`write` for a chunk of the create-only path: the same rows, built column by
        column (what _create_projects builds from each row's values)."""
        created_companies = self._create_new_companies(chunk.companies)
        created_projects = self._create_fast_projects(chunk)
        ids = batch.created_ids
        if created_companies:
            ids.setdefault("companies.company", []).extend(created_companies)
        if created_projects:
            ids.setdefault("projects.project", []).extend(created_projects)

    def _create_fast_projects(self, chunk: _FastChunk) -> list[int]:
        table = _table(Project)
        template, at = table.new_record(self.now, self.user.pk)
        sqlite = connection.vendor == "sqlite"
        text = _PlainText() if sqlite else None
        textual = set(table.plain_positions) if sqlite else set()
        for position in textual:
            template[position] = text(template[position])  # type: ignore[misc]
        count = chunk.row_count
        columns: dict[int, list] = {}  # position → the rows' values (the rest: the template's)

        def column_of(position: int, values: list, kind: str) -> list:
            default = template[position]
            if kind == "as_is":
                return [default if value is None else value for value in values]
            # Each distinct value object converted once (a record to its pk, an amount, a date
            # or a choice to SQLite's text; a plain text as it is).
            written = {id(None): default}
            for value in {id(value): value for value in values}.values():
                if value is not None:
                    written[id(value)] = (
                        value
                        if value.__class__ is str
                        else value.pk
                        if kind == "record"
                        else text(value)  # type: ignore[misc]
                    )
            return [written[id(value)] for value in values]

        fields = chunk.fields
        for name, attr in PROJECT_FIELDS.items():
            if name not in fields:
                continue
            position = at[attr]
            kind = (
                "record" if name in _RECORD_FIELDS else "text" if position in textual else "as_is"
            )
            columns[position] = column_of(position, fields[name], kind)
        category_at, unit_at = at["category"], at["responsible_unit_id"]
        industrial = Category.INDUSTRIAL if text is None else text(Category.INDUSTRIAL)
        columns[category_at] = [
            industrial if value is None else value
            for value in columns.get(category_at) or repeat(template[category_at], count)
        ]
        district_ids = chunk.district_ids
        columns[at["district_id"]] = district_ids
        units = columns.get(unit_at)
        columns[unit_at] = (
            district_ids
            if units is None
            else [d if u is None else u for u, d in zip(units, district_ids, strict=True)]
        )
        names = chunk.names
        columns[at["name"]] = names
        columns[at["name_initials"]] = [fast_initials(name) for name in names]
        company_ids = [self._company_id(company) for company in chunk.companies]
        columns[at["company_id"]] = company_ids
        # The stage, its dates and the stage log, as _create_projects makes them.
        formal = Agreement.FORMAL if text is None else text(Agreement.FORMAL)
        signed_rank = stage_rank(Stage.SIGNED)
        today = self.planner.today
        plain_text = text if text is not None else (lambda value: value)
        signed_ons = fields.get("signed_on") or [None] * count
        # (stage, signing date) → the row's stage, stage date, agreement, first signing date
        # and stage dates as written, and its stage log (SQLite: as text).
        per_stage: dict[tuple, tuple] = {}
        stage_values = []
        for pair in zip(chunk.stages, signed_ons, strict=True):
            found = per_stage.get(pair)
            if found is None:
                stage, signed_on = pair
                signed = stage_rank(stage) >= signed_rank
                signed_on = signed_on if signed else None
                stage_on = signed_on if stage == Stage.SIGNED else today
                log = _new_stage_log(stage, signed_on, stage_on, today)
                found = per_stage[pair] = (
                    plain_text(stage),
                    plain_text(stage_on),
                    formal if signed else "",
                    plain_text(signed_on),
                    *[plain_text(value) for value in stage_dates_from_log(log).values()],
                    tuple((plain_text(s), plain_text(on)) for s, on in log),
                )
            stage_values.append(found)
        (
            columns[at["stage"]],
            columns[at["stage_on"]],
            columns[at["agreement"]],
            columns[at["first_signed_on"]],
            *dates,
            logs,
        ) = zip(*stage_values, strict=True) if stage_values else [()] * 10
        for name, column in zip(stagedates.FIELDS, dates, strict=True):
            columns[at[name]] = column
        if sqlite:
            rows = list(
                zip(
                    *[
                        columns[position] if position in columns else repeat(value, count)
                        for position, value in enumerate(template)
                    ],
                    strict=True,
                )
            )
            ids = table.insert_values(rows, varying=sorted(columns), plain=False)
        else:
            ids = table.insert_columns(columns, template, count)
        _copy_to_history(Project, ids, user=self.user, now=self.now, reason="import")
        index = self.planner.index
        log_table, log_row, log_at = self._stage_log_template()
        if sqlite:
            log_row = [
                _plain_value(value) if i in log_table.plain_positions else value
                for i, value in enumerate(log_row)
            ]
        project_at, stage_at, on_at = log_at["project_id"], log_at["stage"], log_at["on"]
        changes = []
        for pk, log in zip(ids, logs, strict=True):
            for stage, on in log:
                change = log_row.copy()
                change[project_at] = pk
                change[stage_at] = stage
                change[on_at] = on
                changes.append(change)
        fai_codes = columns.get(at["fai_code"]) or repeat(template[at["fai_code"]], count)
        # index.add_project for each new project, inlined (the keys are the rows' already).
        by_fai, by_company_name = index.by_fai, index.by_company_name
        by_district_name, by_name = index.by_district_name, index.by_name
        by_company, district_of = index.by_company, index.district_of
        not_duplicates = index.not_duplicates
        for pk, district, fai, company, key in zip(
            ids, district_ids, fai_codes, company_ids, chunk.keys, strict=True
        ):
            if fai:
                by_fai.setdefault(fai.upper(), pk)
            if company:
                by_company_name.setdefault((company, key), pk)
                by_company[company].append(pk)
            by_district_name.setdefault((district, key), pk)
            by_name[key].append(pk)
            district_of[pk] = district
            not_duplicates.add(pk)
        log_table.insert_values(
            changes, returning=False, varying=[project_at, stage_at, on_at], plain=not sqlite
        )
        return ids

    def _stage_log_template(self) -> tuple[_Table, list, dict]:
        """The stage log's table, a row of its defaults for this import's entries (by whom,
        the note, when) and its columns' positions."""
        log_table = _table(StageChange)
        log_row, log_at = log_table.layout()
        log_row[log_at["by_id"]] = self.user.pk
        log_row[log_at["note"]] = IMPORT_NOTE
        log_row[log_at["recorded_at"]] = log_table.adapt("recorded_at", self.now)
        return log_table, log_row, log_at

    def _company_id(self, company) -> int | None:
        if company is None:
            return None
        return company if isinstance(company, int) else company.pk

    def _create_projects(self, plans: list[_Plan]) -> list[int]:
        if not plans:
            return []
        table = _table(Project)
        template, at = table.new_record(self.now, self.user.pk)
        # On SQLite the amounts, dates and choices are given as plain text (see _plain) as the
        # row is built: each value object converted once, and only the values a row has.
        text = _PlainText() if connection.vendor == "sqlite" else None
        textual = set(table.plain_positions) if text is not None else set()
        for position in textual:
            template[position] = text(template[position])
        # Ledger field → its column's position (those given as text apart); the records' by
        # their id.
        plain = {
            name: at[attr]
            for name, attr in PROJECT_FIELDS.items()
            if name not in _RECORD_FIELDS and at[attr] not in textual
        }
        as_text = {
            name: at[attr]
            for name, attr in PROJECT_FIELDS.items()
            if name not in _RECORD_FIELDS and at[attr] in textual
        }
        records = {
            name: at[attr] for name, attr in PROJECT_FIELDS.items() if name in _RECORD_FIELDS
        }
        # Ledger field → (its column's position, whether the value is written as it is); the
        # others written as a record's pk or SQLite's text, each value object converted once
        # (``written``: id(value) → (value, as written); a few records and amounts recur).
        slots = {name: (position, True) for name, position in plain.items()}
        slots.update((name, (position, False)) for name, position in as_text.items())
        slots.update((name, (position, False)) for name, position in records.items())
        written: dict[int, tuple] = {}
        if text is None:
            industrial, formal = Category.INDUSTRIAL, Agreement.FORMAL
        else:
            industrial, formal = text(Category.INDUSTRIAL), text(Agreement.FORMAL)
        category_at, unit_at = at["category"], at["responsible_unit_id"]
        name_at, initials_at, company_at, district_at = (
            at["name"],
            at["name_initials"],
            at["company_id"],
            at["district_id"],
        )
        stage_at, stage_on_at, agreement_at, signed_at = (
            at["stage"],
            at["stage_on"],
            at["agreement"],
            at["first_signed_on"],
        )
        decision_at, reason_at = at["duplicate_decision"], at["duplicate_reason"]
        entered_at, entered_stage_at, lead_at, started_at, producing_at = (
            at[name] for name in stagedates.FIELDS
        )
        signed_rank = stage_rank(Stage.SIGNED)
        today = self.planner.today
        rows, logs = [], []
        dates_of: dict[tuple, list] = {}
        given: set[str] = set()  # the ledger fields of any row (their columns vary)
        for plan in plans:
            values = plan.values
            given.update(values)
            row = template.copy()
            for name, value in values.items():
                slot = slots.get(name)
                if slot is None or value is None:
                    continue
                position, as_is = slot
                if as_is or value.__class__ is str:
                    row[position] = value
                    continue
                known = written.get(id(value))
                if known is None or known[0] is not value:
                    known = written[id(value)] = (
                        value,
                        value.pk if isinstance(value, models.Model) else text(value),  # type: ignore[misc]
                    )
                row[position] = known[1]
            if row[category_at] is None:
                row[category_at] = industrial
            stage = values["stage"]
            signed = stage_rank(stage) >= signed_rank
            signed_on = values.get("signed_on") if signed else None
            stage_on = values.get("signed_on") if stage == Stage.SIGNED else today
            name = values["name"]
            row[name_at] = name
            row[initials_at] = fast_initials(name)
            company = plan.company
            row[company_at] = self._company_id(company)
            district = plan.district_id
            row[district_at] = district
            if row[unit_at] is None:
                row[unit_at] = district
            if text is None:
                row[stage_at] = stage
                row[stage_on_at] = stage_on
                row[signed_at] = signed_on
            else:
                row[stage_at] = text(stage)
                row[stage_on_at] = text(stage_on)
                row[signed_at] = text(signed_on)
            row[agreement_at] = formal if signed else ""
            if plan.decision is not None:
                decision = plan.decision["decision"]
                row[decision_at] = decision if text is None else text(decision)
                if plan.decision["decision"] == DuplicateDecision.DISTINCT:
                    row[reason_at] = plan.decision["reason"]
            # The stage log of a new project, and its first dates on the row itself (what
            # projects.stagedates derives from the log), so no UPDATE follows the INSERT.
            log = _new_stage_log(stage, signed_on, stage_on, today)
            dates = dates_of.get(log)
            if dates is None:
                dates = list(stage_dates_from_log(log).values())
                if text is not None:
                    dates = [text(value) for value in dates]
                dates_of[log] = dates
            (
                row[entered_at],
                row[entered_stage_at],
                row[lead_at],
                row[started_at],
                row[producing_at],
            ) = dates
            logs.append(log)
            rows.append(row)
        varying = {
            *(
                position
                for name, position in {**plain, **as_text, **records}.items()
                if name in given
            ),
            *(category_at, unit_at, name_at, initials_at, company_at, district_at, stage_at),
            *(stage_on_at, agreement_at, signed_at, decision_at, reason_at, entered_at),
            *(entered_stage_at, lead_at, started_at, producing_at),
        }
        ids = table.insert_values(rows, varying=varying, plain=text is None)
        _copy_to_history(Project, ids, user=self.user, now=self.now, reason="import")
        changes = []
        index = self.planner.index
        log_table, log_row, log_at = self._stage_log_template()
        project_at, stage_at, on_at = log_at["project_id"], log_at["stage"], log_at["on"]
        not_duplicates = index.not_duplicates
        for pk, row, log, plan in zip(ids, rows, logs, plans, strict=True):
            for stage, on in log:
                change = log_row.copy()
                change[project_at] = pk
                change[stage_at] = stage
                change[on_at] = on
                changes.append(change)
            index.add_project(
                pk, row[name_at], row[district_at], row[at["fai_code"]], row[company_at], plan.key
            )
            not_duplicates.add(pk)
        log_table.insert_values(changes, returning=False, varying=[project_at, stage_at, on_at])
        self._open_conflicts(plans, ids)
        return ids

    def _open_conflicts(self, plans: list[_Plan], ids: list[int]) -> None:
        """ "The same project": a conflict between the existing record and the row's new one,
        for the city to rule on (projects.conflicts)."""
        from yinli.projects.conflicts import conflict_open

        same = [
            (plan, pk)
            for plan, pk in zip(plans, ids, strict=True)
            if plan.decision is not None and plan.decision["decision"] == DuplicateDecision.SAME
        ]
        if not same:
            return
        projects = Project.objects.in_bulk(
            [pk for _plan, pk in same] + [plan.decision["same_as"] for plan, _pk in same]
        )
        for plan, pk in same:
            conflict = conflict_open(
                project_a=projects[plan.decision["same_as"]],
                project_b=projects[pk],
                by=self.user,
                origin=ConflictOrigin.IMPORT,
                note=plan.decision["reason"]
                or _("Row %(row)s of the ledger %(file)s.")
                % {"row": plan.row, "file": self.file_name},
                check_permission=False,
            )
            self.conflicts.append(conflict.pk)

    def _update_projects(self, plans: list[_Plan], batch: ImportBatch) -> None:
        if not plans:
            return
        projects = Project.objects.select_related("company").in_bulk([p.project_id for p in plans])
        records = []
        for plan in plans:
            project = projects[plan.project_id]
            data = {
                key: (self._company_id(value) and Company.objects.get(pk=self._company_id(value)))
                if key == "company"
                else value
                for key, value in plan.changes.items()
            }
            previous = {key: _serialize(getattr(project, key)) for key in data}
            if plan.advance_to:
                previous.update(
                    {
                        "stage": project.stage,
                        "stage_on": _serialize(project.stage_on),
                        "first_signed_on": _serialize(project.first_signed_on),
                        "agreement": project.agreement,
                    }
                )
            status = {key: data.pop(key) for key in _STATUS_ATTRS if key in data}
            if status:
                previous.update(
                    status=project.status,
                    status_reason=project.status_reason,
                    lost_to=_serialize(project.lost_to_id),
                )
            before = set(StageChange.objects.filter(project=project).values_list("id", flat=True))
            if data:
                project._change_reason = "import"
                project = project_update(
                    project=project, data=data, version=project.version, by=self.user
                )
            if status:
                project._change_reason = "import"
                new_status = status.get("status", project.status)
                project = project_set_status(
                    project=project,
                    status=new_status,
                    reason=status.get("status_reason", project.status_reason),
                    lost_to=status.get("lost_to", project.lost_to),
                    by=self.user,
                    version=project.version,
                )
            if plan.advance_to:
                if stage_rank(plan.advance_to) >= stage_rank(Stage.SIGNED):
                    project.agreement = Agreement.FORMAL
                on = self.planner.today
                if project.first_signed_on is None and plan.values.get("signed_on"):
                    on = plan.values["signed_on"] if plan.advance_to == Stage.SIGNED else on
                project = project_advance_stage(
                    project=project,
                    stage=plan.advance_to,
                    on=on,
                    by=self.user,
                    version=project.version,
                    note=IMPORT_NOTE,
                )
                if (
                    project.first_signed_on
                    and plan.values.get("signed_on")
                    and (previous.get("first_signed_on") is None)
                ):
                    Project.all_objects.filter(pk=project.pk).update(
                        first_signed_on=plan.values["signed_on"]
                    )
            added = (
                set(StageChange.objects.filter(project=project).values_list("id", flat=True))
                - before
            )
            if added:
                previous["_stage_changes"] = sorted(added)
            records.append(
                ImportChange(
                    batch=batch,
                    model="projects.project",
                    object_id=project.pk,
                    row=plan.row,
                    previous=previous,
                    version_after=project.version,
                )
            )
        ImportChange.objects.bulk_create(records)


# -- the runs --------------------------------------------------------------------------------


def _local_path(path, file) -> tuple[Path, str, bool]:
    """A path on disk for the ledger (an uploaded file is copied to a temporary file)."""
    if path is not None:
        path = Path(path)
        return path, path.name, False
    if file is None:
        raise ValidationError(_("No file was given."))
    name = getattr(file, "name", "ledger.xlsx") or "ledger.xlsx"
    temporary = getattr(file, "temporary_file_path", None)
    if callable(temporary):
        return Path(temporary()), Path(name).name, False
    return bytes_to_tempfile(file, Path(name).suffix.lower()), Path(name).name, True


def _check_district_param(user, district: OrgUnit | None) -> OrgUnit | None:
    if not scoping._active(user):
        raise PermissionDeniedError(_("You may not import projects."))
    allowed = scoping.districts_for_entry(user)
    if district is not None:
        if not allowed.filter(pk=district.pk).exists():
            raise PermissionDeniedError(
                _("You may not import projects into %(district)s.") % {"district": district.name}
            )
        return district
    if not scoping.changes_everything(user):
        own = list(allowed[:2])
        if len(own) == 1:
            return own[0]
        if not own:
            raise PermissionDeniedError(_("You may not import projects."))
    return None


def _overrides(mapping, district: OrgUnit | None) -> dict | None:
    if mapping is None:
        return None
    if isinstance(mapping, ImportMapping):
        return dict(mapping.columns)
    return dict(mapping)


def save_mapping(
    *, district: OrgUnit, name: str, columns: dict[str, str | None], by
) -> ImportMapping:
    """Save (or replace) a district's column mapping, header text → field."""
    if not scoping.districts_for_entry(by).filter(pk=district.pk).exists():
        raise PermissionDeniedError()
    unknown = {f for f in columns.values() if f and f not in FIELD_LABELS}
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    mapping, _created = ImportMapping.objects.update_or_create(
        district=district,
        name=name,
        defaults={"columns": columns, "created_by": by, "updated_at": timezone.now()},
    )
    return mapping


def template_headers() -> dict[str, str]:
    """The headers of the export templates (header → field), so that a file exported through a
    template reads back even where an administrator named a column in her own words. An amount
    column's header is known with either unit ("总投资(亿元)", "总投资(万元)")."""
    from .export import UNIT_LABELS, export_header
    from .models import ExportTemplate

    found: dict[str, str] = {}
    for columns in ExportTemplate.objects.values_list("columns", flat=True):
        for column in columns or []:
            field_name = column.get("field")
            if field_name not in FIELD_LABELS or field_name == "seq":
                continue
            for unit in UNIT_LABELS.values():
                header = export_header(column, unit)
                if header and field_for_header(header) != field_name:
                    found.setdefault(header, field_name)
    return found


def open_for_import(
    path: Path, *, mapping, district, bulk: bool = False
) -> tuple[Ledger, ImportMapping | None]:
    """Open the ledger as the import reads it: with ``mapping`` when given, else the district's
    saved mapping whose headers are exactly the file's (returned), else the built-in column
    names and the export templates' headers."""
    limits = Limits.from_settings(bulk=bulk)
    overrides = _overrides(mapping, district)
    if overrides is None and district is not None:
        # A district's saved mapping applies when the file's headers are exactly its headers.
        for saved in ImportMapping.objects.filter(district=district):
            try:
                ledger = open_ledger(path, limits=limits, overrides=dict(saved.columns))
            except LedgerFileError:
                continue
            if set(saved.columns) == set(ledger.headers):
                return ledger, saved
    if overrides is None:
        overrides = template_headers() or None
    return open_ledger(path, limits=limits, overrides=overrides), None


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _collect(preview: ImportPreview, plans: list[_Plan]) -> None:
    counts, keep = preview.counts, preview.keep_rows
    for plan in plans:
        if plan.problems:
            preview.errors.extend(plan.problems)
        if plan.warnings:
            preview.warnings.extend(plan.warnings)
        if plan.duplicates:
            preview.possible_duplicates.extend(plan.duplicates)
            if plan.action == "held":
                preview.held_rows.append(
                    {"row": plan.row, "project_ids": [d["project_id"] for d in plan.duplicates]}
                )
        if keep:
            preview.add(
                RowOutcome(
                    row=plan.row,
                    action=plan.action,
                    name=plan.values.get("name", ""),
                    project_id=plan.project_id,
                    changes=sorted(plan.changes) + (["stage"] if plan.advance_to else []),
                )
            )
        else:  # a bulk import keeps the counts only
            counts["rows"] += 1
            counts[plan.action] = counts.get(plan.action, 0) + 1


def _collect_fast(preview: ImportPreview, chunk: _FastChunk) -> None:
    """:func:`_collect` for a chunk of the create-only path (every row a new project)."""
    counts, rows = preview.counts, chunk.row_count
    if preview.keep_rows:
        for number, name in zip(chunk.numbers, chunk.names, strict=True):
            preview.add(RowOutcome(row=number, action="create", name=name))
        return
    counts["rows"] += rows
    counts["create"] = counts.get("create", 0) + rows


@gc_paused
def _run(
    *,
    path,
    file,
    user,
    district,
    mapping,
    dry_run: bool,
    skip_invalid: bool,
    bulk: bool,
    progress: ProgressCallback | None,
    chunk_size: int,
    decisions: dict | None = None,
    undecided: str = "hold",
    undecided_reason: str = "",
) -> ImportPreview:
    district = _check_district_param(user, district)
    undecided_reason = _undecided_reason(undecided, undecided_reason)
    local, name, temporary = _local_path(path, file)
    try:
        ledger, saved = open_for_import(local, mapping=mapping, district=district, bulk=bulk)
        preview = ImportPreview(
            file_name=name,
            sha256=sha256_of(local),
            format=ledger.format,
            header_rows=ledger.header_rows,
            columns=ledger.columns,
            district=district,
            keep_rows=not bulk,
        )
        if saved is not None:
            preview.warnings.append(
                Problem(
                    None,
                    "",
                    saved.name,
                    _("The saved mapping “%(name)s” was used.") % {"name": saved.name},
                )
            )
        if bulk and not dry_run:
            return _run_bulk(
                ledger,
                preview,
                user=user,
                district=district,
                skip_invalid=skip_invalid,
                progress=progress,
                chunk_size=chunk_size,
                decisions=decisions,
                undecided_reason=undecided_reason,
            )
        planner = _Planner(
            user=user,
            district=district,
            columns=ledger.columns,
            decisions=decisions,
            undecided_reason=undecided_reason,
        )
        plans: list[_Plan] = []
        done = 0
        for chunk in _chunks(ledger.data_rows(), chunk_size):
            chunk_plans = [planner.plan(number, cells) for number, cells in chunk]
            planner.resolve_updates(chunk_plans)
            _collect(preview, chunk_plans)
            if not dry_run:
                plans.extend(chunk_plans)
            done += len(chunk)
            if progress:
                progress(done, ledger.total_rows)
        preview.skipped_rows = [{"row": r, "reason": why} for r, why in ledger.skipped_rows]
        if dry_run:
            return preview
        return _commit_plans(
            preview,
            plans,
            planner,
            user=user,
            district=district,
            skip_invalid=skip_invalid,
            chunk_size=chunk_size,
            progress=progress,
        )
    finally:
        if temporary:
            local.unlink(missing_ok=True)


def _undecided_reason(undecided: str, reason: str) -> str:
    """The reason given to every unanswered possible duplicate ("distinct"), or "" to hold them."""
    if undecided == "hold":
        return ""
    if undecided != "distinct":
        raise ValueError(f"undecided must be 'hold' or 'distinct', not {undecided!r}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _(
                "Give the reason why the rows without an answer are different investments (e.g. "
                "the group invests in several districts)."
            ),
            code="reason",
        )
    return reason[:300]


#: PostgreSQL: the keys of chunk batches taken from their sequence at a time (see
#: pipeline.WritePipeline.new_ids).
BATCH_ID_BLOCK = 64


def _new_batch(
    preview: ImportPreview, *, user, district, parent=None, kind="projects"
) -> ImportBatch:
    """A new batch record, written at once — or, while a write pipeline runs (a chunk's batch
    in an all-or-nothing import), by the pipeline after the rows before it: the importing
    thread then goes on to the chunk's rows instead of waiting for the database to finish the
    last chunk's (and the database goes on writing while the next chunk is built)."""
    batch = ImportBatch(
        kind=kind,
        parent=parent,
        user=user,
        file_name=preview.file_name[:255],
        sha256=preview.sha256,
        district=district,
    )
    pipe = pipeline.active()
    if pipe is None:
        batch.save(force_insert=True)
        return batch
    (batch.pk,) = pipe.new_ids(ImportBatch, 1, block=BATCH_ID_BLOCK)
    pipe.save(batch, insert=True)
    batch._state.adding, batch._state.db = False, connection.alias
    return batch


def _commit_plans(
    preview, plans, planner, *, user, district, skip_invalid, chunk_size, progress=None
):
    error_rows = preview.counts["error"]
    if error_rows and not skip_invalid:
        batch = _new_batch(preview, user=user, district=district)
        _finish_batch(batch, preview, status=BatchStatus.FAILED)
        preview.batch = batch
        return preview
    writer = _Writer(user=user, planner=planner, file_name=preview.file_name)
    with bulkload.page_cache(), transaction.atomic():  # page cache: see _run_bulk
        batch = _new_batch(preview, user=user, district=district)
        written = 0
        creates = preview.counts["create"]
        with (
            bulkload.set_aside_indexes(
                _bulk_tables(), rows=creates, foreign_keys="all", keep=_bulk_keep()
            ),
            pipeline.write_pipeline(),
        ):
            for chunk in _chunks(plans, chunk_size):
                writer.write(chunk, batch)
                written += len(chunk)
                if progress:  # the write pass, after the check pass (the page's progress bar)
                    progress(written, len(plans))
        preview.committed = True
        preview.conflicts = writer.conflicts
        preview.skipped = error_rows + preview.counts["held"]
        _finish_batch(
            batch,
            preview,
            status=BatchStatus.PARTIAL if preview.skipped else BatchStatus.COMMITTED,
        )
    preview.batch = batch
    return preview


def _finish_batch(batch: ImportBatch, preview: ImportPreview, *, status: str) -> None:
    counts = preview.counts
    done = status in (BatchStatus.COMMITTED, BatchStatus.PARTIAL)
    batch.rows = counts["rows"]
    batch.created = counts["create"] if done else 0
    batch.updated = counts["update"] if done else 0
    batch.unchanged = counts["unchanged"]
    batch.skipped = preview.skipped if done else counts["rows"]
    batch.error_count = len(preview.errors)
    batch.status = status
    batch.finished_at = timezone.now()
    batch.summary = {
        "errors": [p.as_dict() for p in preview.errors[:1000]],
        "possible_duplicates": preview.possible_duplicates[:1000],
        "held_rows": preview.held_rows[:1000],
        "conflicts": preview.conflicts[:1000],
        "header_rows": preview.header_rows,
    }
    pipe = pipeline.active()
    if pipe is None:
        batch.save()
    else:  # written by the pipeline after the chunk's rows (see _new_batch)
        pipe.save(batch, insert=False)


def _bulk_tables() -> list:
    """The tables a ledger import fills, whose indexes a large import sets aside (but those
    :func:`_bulk_keep` keeps). On SQLite the project table's only: the history rows and the
    stage log come with keys in order (ids, one time, one user, a few stages), which their
    indexes take cheaply as the rows arrive — in the writing thread, beside the planning —
    where building them after the load is time the import waits for (on PostgreSQL their
    foreign keys go with them, and those pay). On PostgreSQL the company tables too: a first
    load's new companies kept the GIN trigram indexes of the names up to date row by row
    (100,000 rows, 33,000 companies: their COPY 2.3 s, 0.5 s with the indexes set aside and
    0.3 s to build them at the end)."""
    if connection.vendor == "sqlite":
        return [Project]
    return [Project, Project.history.model, StageChange, Company, Company.history.model]


def _bulk_keep() -> dict:
    """The indexes a large import keeps while it writes (bulkload's ``keep``): the plain
    single-column B-trees of the project tables (on PostgreSQL of the project history and
    stage log too). The database keeps them up to date as the rows arrive — in the writing
    thread (SQLite) or the server's process (PostgreSQL), beside the planning of the next
    chunk — where building one after the load is a pass over the whole table the import
    waits for (100,000 projects: about 50 ms each on SQLite, 40–70 ms on PostgreSQL, some 20
    of them). SQLite: the import 7.0–7.6 → 6.4–6.5 s, its writing thread's CPU 2.8–3.2 →
    3.7 s. PostgreSQL: the rebuild 2.8 → 1.6 s, the server's CPU the same, the import
    11.2 → 8.7 s. The multi-column and trigram indexes and the company tables' are still set
    aside, and every foreign key on PostgreSQL (validated again at the end: a trigger and a
    look-up a row otherwise)."""
    tables = (
        [Project]
        if connection.vendor == "sqlite"
        else [Project, Project.history.model, StageChange]
    )
    return {model: [f.column for f in model._meta.concrete_fields] for model in tables}


def _run_bulk(
    ledger,
    preview,
    *,
    user,
    district,
    skip_invalid,
    progress,
    chunk_size,
    decisions=None,
    undecided_reason="",
):
    planner = _Planner(
        user=user,
        district=district,
        columns=ledger.columns,
        cache={},
        decisions=decisions,
        undecided_reason=undecided_reason,
    )
    writer = _Writer(user=user, planner=planner, file_name=preview.file_name)
    state = {"done": 0, "writing": True}
    fast_path = FAST_PATH

    def planned() -> Iterator[list[_Plan] | _FastChunk]:
        for chunk in _chunks(ledger.data_rows(), chunk_size):
            fast = planner.fast_chunk(chunk) if fast_path else None
            if fast is not None:
                yield fast
                continue
            plans = [planner.plan(number, cells) for number, cells in chunk]
            planner.resolve_updates(plans)
            yield plans

    def write_chunk(plans: list[_Plan] | _FastChunk, parent: ImportBatch) -> Callable[[], None]:
        """Write a chunk as a batch of its own; returns what records the batch's outcome (for
        the all-or-nothing import to call after the next chunk is planned: saving the batch
        waits for the chunk's rows to be written, see ledger.pipeline)."""
        batch = _new_batch(preview, user=user, district=district, parent=parent)
        part = ImportPreview(file_name=preview.file_name, sha256=preview.sha256, keep_rows=False)
        if isinstance(plans, _FastChunk):
            writer.write_fast(plans, batch)
            _collect_fast(part, plans)
            batch.first_row, batch.last_row = plans.numbers[0], plans.numbers[-1]
        else:
            writer.write(plans, batch)
            _collect(part, plans)
            batch.first_row, batch.last_row = plans[0].row, plans[-1].row
        part.skipped = part.counts["error"] + part.counts["held"]
        status = BatchStatus.PARTIAL if part.skipped else BatchStatus.COMMITTED
        return lambda: _finish_batch(batch, part, status=status)

    def run(parent: ImportBatch) -> None:
        unfinished: Callable[[], None] | None = None
        for plans in planned():
            if unfinished is not None:
                unfinished()
                unfinished = None
            if skip_invalid:
                with transaction.atomic():
                    write_chunk(plans, parent)()
            elif state["writing"]:
                if isinstance(plans, list) and any(plan.problems for plan in plans):
                    state["writing"] = False  # all or nothing: the rest is only checked
                else:
                    unfinished = write_chunk(plans, parent)
            if isinstance(plans, _FastChunk):
                _collect_fast(preview, plans)
                state["done"] += plans.row_count
            else:
                _collect(preview, plans)
                state["done"] += len(plans)
                plans.clear()  # written: let the memory go
            if progress:
                progress(state["done"], ledger.total_rows)
        if unfinished is not None:
            unfinished()

    if skip_invalid:
        parent = _new_batch(preview, user=user, district=district)
        run(parent)
    else:
        # All or nothing in one transaction: chunks are written as they are checked (by a
        # second thread while the next chunk is checked, see ledger.pipeline); the first wrong
        # row stops the writing, the rest of the file is still checked (every problem is
        # reported), and the transaction is rolled back.
        # A file large beside the project table (a first load) is written with the table's
        # indexes set aside and built once at the end (yinli.core.bulkload).
        # A page cache (SQLite) large enough for the indexes kept up to date (_bulk_keep).
        with bulkload.page_cache(), transaction.atomic():
            parent = _new_batch(preview, user=user, district=district)
            with bulkload.set_aside_indexes(
                _bulk_tables(), rows=ledger.total_rows, foreign_keys="all", keep=_bulk_keep()
            ):
                with pipeline.write_pipeline():
                    run(parent)
                if not state["writing"]:
                    transaction.set_rollback(True)
        if not state["writing"]:
            errors = preview.counts["error"]
            preview.counts.update({key: 0 for key in preview.counts})
            preview.counts.update(rows=state["done"], error=errors)
            preview.conflicts = []
            preview.skipped_rows = [{"row": r, "reason": why} for r, why in ledger.skipped_rows]
            batch = _new_batch(preview, user=user, district=district)
            _finish_batch(batch, preview, status=BatchStatus.FAILED)
            preview.batch = batch
            return preview
    preview.committed = True
    preview.conflicts = writer.conflicts
    preview.skipped = preview.counts["error"] + preview.counts["held"]
    preview.skipped_rows = [{"row": r, "reason": why} for r, why in ledger.skipped_rows]
    _finish_batch(
        parent, preview, status=BatchStatus.PARTIAL if preview.skipped else BatchStatus.COMMITTED
    )
    preview.batch = parent
    return preview


# -- public functions ------------------------------------------------------------------------


def preview_import(
    *,
    path=None,
    file=None,
    user,
    district: OrgUnit | None = None,
    mapping=None,
    progress: ProgressCallback | None = None,
    chunk_size: int = CHUNK_SIZE,
    decisions: dict | None = None,
    undecided: str = "hold",
    undecided_reason: str = "",
) -> ImportPreview:
    """What importing the ledger would do, row by row, with every problem; writes nothing.

    ``mapping`` is header → field (or an :class:`ImportMapping`); without it the district's saved
    mapping is used when its headers match, else the built-in column names.
    Raises :class:`~yinli.ledger.reader.LedgerFileError` when the file as a whole cannot be
    read, ``PermissionDeniedError`` when the user may not import into ``district``.
    """
    return _run(
        path=path,
        file=file,
        user=user,
        district=district,
        mapping=mapping,
        dry_run=True,
        skip_invalid=False,
        bulk=False,
        progress=progress,
        chunk_size=chunk_size,
        decisions=decisions,
        undecided=undecided,
        undecided_reason=undecided_reason,
    )


def commit_import(
    *,
    path=None,
    file=None,
    user,
    district: OrgUnit | None = None,
    mapping=None,
    skip_invalid: bool = False,
    bulk: bool = False,
    progress: ProgressCallback | None = None,
    chunk_size: int = CHUNK_SIZE,
    decisions: dict | None = None,
    undecided: str = "hold",
    undecided_reason: str = "",
) -> ImportPreview:
    """Import the ledger. All or nothing unless ``skip_invalid``; ``bulk`` streams large files.

    A row that would create a project its investor (or its name) already has in another
    district is written only with a person's answer: ``decisions`` maps the row number to
    ``{"decision": "distinct", "reason": …}`` or ``{"decision": "same", "same_as": id}`` (see
    :func:`check_row_decision`; "the same project" opens a conflict). Rows without an answer
    are held (not written, listed in ``held_rows``) unless ``undecided="distinct"`` with an
    ``undecided_reason`` says they are all different investments.

    The result's ``committed`` says whether anything was written; ``batch`` is the recorded
    :class:`ImportBatch` (status ``failed`` when errors stopped it).
    """
    return _run(
        path=path,
        file=file,
        user=user,
        district=district,
        mapping=mapping,
        dry_run=False,
        skip_invalid=skip_invalid,
        bulk=bulk,
        progress=progress,
        chunk_size=chunk_size,
        decisions=decisions,
        undecided=undecided,
        undecided_reason=undecided_reason,
    )


def _deserialize(model: type[models.Model], key: str, value):
    if key.startswith("_"):
        return value
    field_ = model._meta.get_field(key)
    if value is None:
        return None
    if isinstance(field_, models.ForeignKey):
        return field_.related_model._base_manager.get(pk=value)
    if isinstance(field_, models.DecimalField):
        return Decimal(value)
    if isinstance(field_, models.DateField):
        return datetime.date.fromisoformat(value)
    return value


def _created_by_batch(batches: list[ImportBatch], label: str) -> list[int]:
    return [pk for b in batches for pk in b.created_ids.get(label, [])]


def undo_import(*, batch: ImportBatch, by) -> ImportBatch:
    """Take an import back as a whole: created records soft-deleted, updated ones restored.

    Refused (``ValidationError``) when any record the import wrote has been changed since, or
    when the batch is not committed. A bulk import's parent batch undoes every chunk; a chunk
    undoes itself.
    """
    batch = ImportBatch.objects.get(pk=batch.pk)
    if batch.status not in (BatchStatus.COMMITTED, BatchStatus.PARTIAL):
        raise ValidationError(
            _("Only a committed import can be undone (this one is %(status)s).")
            % {"status": batch.get_status_display()},
            code="not_committed",
        )
    if (
        not scoping.changes_everything(by)
        and batch.user_id != by.pk
        and not (
            batch.district_id
            and scoping.districts_for_entry(by).filter(pk=batch.district_id).exists()
        )
    ):
        raise PermissionDeniedError(_("You may not undo this import."))
    batches = [batch, *batch.chunks.exclude(status=BatchStatus.UNDONE)]
    with transaction.atomic():
        changes = list(ImportChange.objects.filter(batch__in=batches).order_by("-id"))
        project_ids = _created_by_batch(batches, "projects.project")
        company_ids = _created_by_batch(batches, "companies.company")
        generic = {
            label: _created_by_batch(batches, label)
            for b in batches
            for label in b.created_ids
            if label not in ("projects.project", "companies.company")
        }
        _refuse_if_changed(Project, project_ids, changes)
        _refuse_if_changed(Company, company_ids, [])
        now = timezone.now()
        for change in changes:
            model = Project if change.model == "projects.project" else Company
            record = model.all_objects.get(pk=change.object_id)
            previous = dict(change.previous)
            stage_changes = previous.pop("_stage_changes", [])
            for key, value in previous.items():
                setattr(record, key, _deserialize(model, key, value))
            record._change_reason = "undo import"
            save_tracked(instance=record, by=by, expected_version=change.version_after)
            StageChange.objects.filter(pk__in=stage_changes).delete()
        _soft_delete_many(Project, project_ids, by=by, now=now)
        # A company the import created goes too, unless a project outside the import uses it.
        keep = set(
            Project.objects.filter(company_id__in=company_ids).values_list("company_id", flat=True)
        )
        _soft_delete_many(Company, [pk for pk in company_ids if pk not in keep], by=by, now=now)
        for label, ids in generic.items():
            app_label, model_name = label.split(".")
            from django.apps import apps

            model = apps.get_model(app_label, model_name)
            if hasattr(model, "deleted_at"):
                _soft_delete_many(model, ids, by=by, now=now)
            else:
                model._base_manager.filter(pk__in=ids).delete()
        for each in batches:
            each.status = BatchStatus.UNDONE
            each.undone_at = now
            each.undone_by = by
            each.save(update_fields=["status", "undone_at", "undone_by"])
    batch.refresh_from_db()
    return batch


def _refuse_if_changed(model, created_ids: list[int], changes: list[ImportChange]) -> None:
    if created_ids:
        for chunk in _chunks(created_ids, 5000):
            changed = (
                model.all_objects.filter(pk__in=chunk)
                .exclude(version=1, deleted_at__isnull=True)
                .values_list("pk", "name")[:1]
            )
            for pk, name in changed:
                raise ValidationError(
                    _(
                        "“%(name)s” (#%(id)s) was changed after the import; the import can no "
                        "longer be undone as a whole."
                    )
                    % {"name": name, "id": pk},
                    code="changed_since",
                )
    for change in changes:
        model_ = Project if change.model == "projects.project" else Company
        current = (
            model_.all_objects.filter(pk=change.object_id).values_list("version", "name").first()
        )
        if current is None or current[0] != change.version_after:
            raise ValidationError(
                _(
                    "“%(name)s” (#%(id)s) was changed after the import; the import can no "
                    "longer be undone as a whole."
                )
                % {"name": current[1] if current else "", "id": change.object_id},
                code="changed_since",
            )


def _soft_delete_many(model, ids: list[int], *, by, now) -> None:
    for chunk in _chunks(ids, 2000):
        records = list(model.all_objects.filter(pk__in=chunk, deleted_at__isnull=True))
        for record in records:
            record.deleted_at = now
            record.updated_at = now
            record.version += 1
        if records:
            bulk_update_with_history(
                records,
                model,
                ["deleted_at", "updated_at", "version"],
                batch_size=1000,
                default_user=by,
                default_change_reason="delete",
                default_date=now,
            )


# -- a generic batch writer (company lists, chain targets …) ---------------------------------


def import_records(
    *,
    rows: Iterable[tuple[int, Any]],
    model: type[models.Model],
    convert: Callable[[int, Any], models.Model],
    user,
    file_name: str = "",
    sha256: str = "",
    kind: str = "records",
    chunk_size: int = CHUNK_SIZE,
    progress: ProgressCallback | None = None,
    total: int | None = None,
) -> tuple[ImportBatch, list[Problem]]:
    """Stream ``rows`` ((row number, data)) through ``convert`` into ``model``, a chunk at a
    time, each chunk in its own transaction and recorded as an undoable batch under one parent.

    ``convert`` returns an unsaved instance or raises ``ValidationError`` (the row is skipped and
    reported). Models with simple_history get their history rows too. Undo with
    :func:`undo_import` on the returned parent batch.
    """
    label = f"{model._meta.app_label}.{model._meta.model_name}"
    has_history = hasattr(model, "history")
    now = timezone.now()
    parent = ImportBatch.objects.create(kind=kind, user=user, file_name=file_name, sha256=sha256)
    problems: list[Problem] = []
    done = created = 0
    for chunk in _chunks(rows, chunk_size):
        objects, chunk_problems = [], []
        for number, data in chunk:
            try:
                objects.append(convert(number, data))
            except ValidationError as exc:
                chunk_problems.append(Problem(number, "", "", " ".join(exc.messages)))
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=kind,
                parent=parent,
                user=user,
                file_name=file_name,
                sha256=sha256,
                first_row=chunk[0][0],
                last_row=chunk[-1][0],
            )
            if has_history:
                saved = bulk_create_with_history(
                    objects,
                    model,
                    batch_size=1000,
                    default_user=user,
                    default_date=now,
                    default_change_reason="import",
                )
            else:
                saved = model._default_manager.bulk_create(objects, batch_size=1000)
            batch.created_ids = {label: [o.pk for o in saved]}
            batch.rows, batch.created = len(chunk), len(saved)
            batch.skipped = batch.error_count = len(chunk_problems)
            batch.status = BatchStatus.PARTIAL if chunk_problems else BatchStatus.COMMITTED
            batch.finished_at = timezone.now()
            batch.summary = {"errors": [p.as_dict() for p in chunk_problems[:1000]]}
            batch.save()
        problems.extend(chunk_problems)
        done += len(chunk)
        created += len(objects)
        if progress:
            progress(done, total)
    ImportBatch.objects.filter(pk=parent.pk).update(
        rows=done,
        created=created,
        skipped=len(problems),
        error_count=len(problems),
        status=BatchStatus.PARTIAL if problems else BatchStatus.COMMITTED,
        finished_at=timezone.now(),
    )
    parent.refresh_from_db()
    return parent, problems


__all__ = [
    "CHUNK_SIZE",
    "ImportPreview",
    "LedgerFileError",
    "RowOutcome",
    "check_row_decision",
    "commit_import",
    "import_records",
    "open_for_import",
    "preview_import",
    "save_mapping",
    "undo_import",
]

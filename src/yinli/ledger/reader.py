"""Reading a ledger file: formats, guards, and finding the header.

.xlsx, .xlsm, .xls, .ods through python-calamine (formulas read as their cached values);
.csv in UTF-8, UTF-8 with BOM, or GBK/GB18030 (tried in that order). Every file passes the guards
first: its size, its row count, and for a zipped workbook the uncompressed size of its members
as the zip directory declares them, checked before anything is expanded.

:func:`open_ledger` finds the header (one row, or two with a merged parent row), maps the columns
and returns a :class:`Ledger` whose :meth:`Ledger.data_rows` streams the data rows with the row
number the spreadsheet shows, skipping blank rows, 合计/小计/总计 rows and note rows.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .csvblocks import encoding_error, sniff_delimiter
from .mapping import Column, join_header_rows, map_columns, score

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
ZIPPED_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}
HEADER_SEARCH_ROWS = 30
MIN_HEADER_FIELDS = 2
TOTAL_WORDS = {"合计", "小计", "总计", "总合计", "累计", "合计数", "共计"}
NOTE_PREFIXES = (
    "注",
    "说明",
    "备注:",
    "填报说明",
    "填表说明",
    "制表",
    "填表人",
    "审核人",
    "数据来源",
)


class LedgerFileError(ValidationError):
    """The file as a whole cannot be read (format, size, encoding, no header)."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_uncompressed: int

    @classmethod
    def from_settings(cls, *, bulk: bool = False) -> Limits:
        if bulk:
            return cls(
                max_bytes=getattr(settings, "LEDGER_BULK_MAX_BYTES", 4 * 1024**3),
                max_rows=getattr(settings, "LEDGER_BULK_MAX_ROWS", 20_000_000),
                max_uncompressed=getattr(settings, "LEDGER_MAX_UNCOMPRESSED_BYTES", 2 * 1024**3),
            )
        return cls(
            max_bytes=getattr(settings, "LEDGER_IMPORT_MAX_BYTES", 100 * 1024**2),
            max_rows=getattr(settings, "LEDGER_IMPORT_MAX_ROWS", 200_000),
            max_uncompressed=getattr(settings, "LEDGER_MAX_UNCOMPRESSED_BYTES", 2 * 1024**3),
        )


def _mib(size: int) -> str:
    return f"{size / 1024**2:.1f} MB"


def check_file(path: Path, limits: Limits) -> None:
    """The guards that need no parsing: size, and the zip directory of a workbook."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise LedgerFileError(
            _("The file is %(size)s; files larger than %(limit)s are not accepted.")
            % {"size": _mib(size), "limit": _mib(limits.max_bytes)},
            code="too_large",
        )
    suffix = path.suffix.lower()
    if suffix in ZIPPED_SUFFIXES:
        try:
            with zipfile.ZipFile(path) as archive:
                expanded = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile as exc:
            raise LedgerFileError(
                _("%(name)s is not a readable %(format)s workbook.")
                % {"name": path.name, "format": suffix.lstrip(".")},
                code="bad_file",
            ) from exc
        if expanded > limits.max_uncompressed:
            raise LedgerFileError(
                _(
                    "The workbook would expand to %(size)s, more than the %(limit)s allowed; it "
                    "was not opened."
                )
                % {"size": _mib(expanded), "limit": _mib(limits.max_uncompressed)},
                code="zip_bomb",
            )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _too_many_rows(count: int, limits: Limits) -> LedgerFileError:
    return LedgerFileError(
        _(
            "The sheet has %(count)s rows; at most %(limit)s rows can be imported at once (use "
            "bulk mode for more)."
        )
        % {"count": count, "limit": limits.max_rows},
        code="too_many_rows",
    )


# -- raw rows -------------------------------------------------------------------------------


def _spreadsheet_rows(path: Path, limits: Limits) -> tuple[Iterator[tuple[int, list]], int | None]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = next(
            (
                workbook.get_sheet_by_name(meta.name)
                for meta in workbook.sheets_metadata
                if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet")
            ),
            None,
        ) or workbook.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError, IndexError) as exc:
        raise LedgerFileError(
            _("%(name)s cannot be read as a spreadsheet: %(error)s")
            % {"name": path.name, "error": exc},
            code="bad_file",
        ) from exc
    end_row = sheet.end[0] + 1 if sheet.end else 0
    if end_row > limits.max_rows + HEADER_SEARCH_ROWS:
        raise _too_many_rows(end_row, limits)
    start_col = sheet.start[1] if sheet.start else 0

    def rows() -> Iterator[tuple[int, list]]:
        pad = [""] * start_col
        for number, values in enumerate(sheet.iter_rows(), start=1):
            yield number, pad + values if start_col else values
        workbook.close()

    return rows(), end_row


def detect_encoding(path: Path) -> str:
    """utf-8-sig when the start of the file decodes as UTF-8, else gb18030 (a superset of GBK)."""
    with path.open("rb") as handle:
        head = handle.read(4 * 1024 * 1024)
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise LedgerFileError(
            _("%(name)s is neither UTF-8 nor GBK/GB18030 text.") % {"name": path.name},
            code="bad_encoding",
        ) from exc


def _csv_rows(path: Path, limits: Limits) -> tuple[Iterator[tuple[int, list]], int | None]:
    encoding = detect_encoding(path)
    # Count lines without decoding: an upper bound of the rows (a quoted cell may span lines).
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(4 * 1024 * 1024), b""):
            lines += block.count(b"\n")
    if lines > limits.max_rows + HEADER_SEARCH_ROWS:
        raise _too_many_rows(lines, limits)
    delimiter = sniff_delimiter(path, encoding)

    def rows() -> Iterator[tuple[int, list]]:
        with path.open("r", encoding=encoding, newline="") as handle:
            try:
                yield from enumerate(csv.reader(handle, delimiter=delimiter), start=1)
            except UnicodeDecodeError as exc:
                raise encoding_error(path) from exc

    return rows(), lines


def raw_rows(path: Path, limits: Limits) -> tuple[Iterator[tuple[int, list]], int | None, str]:
    """(row number, cells) for every row of the first visible sheet, the row count if known,
    and the format."""
    suffix = path.suffix.lower()
    check_file(path, limits)
    if suffix in SPREADSHEET_SUFFIXES:
        rows, total = _spreadsheet_rows(path, limits)
        return rows, total, suffix.lstrip(".")
    if suffix in {".csv", ".txt"}:
        rows, total = _csv_rows(path, limits)
        return rows, total, "csv"
    raise LedgerFileError(
        _("%(name)s: only .xlsx, .xls, .ods and .csv files can be imported.") % {"name": path.name},
        code="bad_format",
    )


# -- the header and the data rows ------------------------------------------------------------


def _is_blank_cell(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def filled(cells: list) -> int:
    return sum(1 for value in cells if not _is_blank_cell(value))


def _filled_upto_two(cells: list) -> int:
    """0, 1 or 2 (two or more) filled cells: what ``data_rows`` needs, without counting on."""
    count = 0
    for value in cells:
        if value is None or (value.__class__ is str and (not value or value.isspace())):
            continue
        if count:
            return 2
        count = 1
    return count


def _plain(value: object) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value)))


def is_total_row(cells: list) -> bool:
    """A 合计/小计/总计 row: one of its first cells says so."""
    for value in cells[:4]:
        # Every total word has 计 (a compatibility form of it is not worth NFKC on each row).
        if isinstance(value, str) and "计" in value:
            text = _plain(value).rstrip(":")
            if text in TOTAL_WORDS or (
                text.startswith(("合计", "小计", "总计")) and len(text) <= 8
            ):
                return True
    return False


@dataclass
class Ledger:
    """An opened ledger: its columns and a stream of data rows."""

    path: Path
    format: str
    header_rows: list[int]
    columns: list[Column]
    total_rows: int | None
    _rows: Iterator[tuple[int, list]]
    _buffer: list[tuple[int, list]] = field(default_factory=list)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def mapped(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns if c.field}

    def data_rows(self) -> Iterator[tuple[int, list]]:
        """(row number as the spreadsheet shows it, cells), without blank, total and note rows."""
        mapped_indexes = {c.index for c in self.columns if c.field and c.field != "seq"}
        name_col = self.mapped.get("name")

        def rows():
            yield from self._buffer
            yield from self._rows

        for number, cells in rows():
            count = _filled_upto_two(cells)
            if count == 0:
                continue
            if is_total_row(cells):
                self.skipped_rows.append((number, "total"))
                continue
            if count == 1:
                index = next(i for i, v in enumerate(cells) if not _is_blank_cell(v))
                text = _plain(cells[index])
                if (
                    index not in mapped_indexes
                    or text.startswith(NOTE_PREFIXES)
                    or (name_col is not None and index != name_col.index and len(cells) > 3)
                ):
                    self.skipped_rows.append((number, "note"))
                    continue
            yield number, cells


def find_header(
    head: list[tuple[int, list]], overrides: dict[str, str | None] | None = None
) -> tuple[list[int], list[Column], int] | None:
    """The header among the first rows: (its row numbers, the columns, the position after it)."""
    best: tuple[int, int, list[int], list[Column], int] | None = None
    for position, (number, cells) in enumerate(head):
        if filled(cells) < MIN_HEADER_FIELDS:
            continue  # a title or note row
        single = map_columns(join_header_rows(cells, None), overrides)
        candidates = [(score(single), 0, [number], single, position + 1)]
        if position + 1 < len(head):
            below_number, below = head[position + 1]
            if filled(below):
                joined = map_columns(join_header_rows(cells, below), overrides)
                candidates.append((score(joined), 1, [number, below_number], joined, position + 2))
        for found in candidates:
            if found[0] < MIN_HEADER_FIELDS:
                continue
            # More fields wins; on a tie the single row (the next row is data).
            if best is None or (found[0], -found[1]) > (best[0], -best[1]):
                best = found
    if best is None:
        return None
    return best[2], best[3], best[4]


def open_ledger(
    path: Path | str,
    *,
    limits: Limits | None = None,
    overrides: dict[str, str | None] | None = None,
) -> Ledger:
    path = Path(path)
    limits = limits or Limits.from_settings()
    rows, total, fmt = raw_rows(path, limits)
    head: list[tuple[int, list]] = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    found = find_header(head, overrides)
    if found is None:
        raise LedgerFileError(
            _(
                "No header row was found in the first %(count)s rows: a header names columns such "
                "as 项目名称, 投资方, 总投资, 签约时间."
            )
            % {"count": HEADER_SEARCH_ROWS},
            code="no_header",
        )
    header_rows, columns, after = found
    if not any(c.field == "name" for c in columns):
        raise LedgerFileError(
            _("The header (row %(row)s) has no project name column (项目名称).")
            % {"row": header_rows[0]},
            code="no_name_column",
        )
    return Ledger(
        path=path,
        format=fmt,
        header_rows=header_rows,
        columns=columns,
        total_rows=total,
        _rows=rows,
        _buffer=head[after:],
    )


def read_table(path: Path | str, *, limits: Limits | None = None) -> Iterator[tuple[int, list]]:
    """Every raw row of a file, after the guards (used by lists without a project header)."""
    rows, _total, _fmt = raw_rows(Path(path), limits or Limits.from_settings())
    return rows


def bytes_to_tempfile(data: bytes | io.BufferedIOBase, suffix: str) -> Path:
    import tempfile

    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)
    with handle:
        if isinstance(data, bytes):
            handle.write(data)
        else:
            for block in iter(lambda: data.read(1024 * 1024), b""):
                handle.write(block)
    return Path(handle.name)

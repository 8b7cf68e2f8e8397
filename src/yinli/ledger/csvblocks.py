"""A large CSV file read in byte ranges, so that worker processes parse it side by side.

A ledger's or a registry's CSV file is read record by record by ``ledger.reader``. For a file of
millions of rows the reading alone costs the importing process as much as its database writes;
here the file is cut into ranges of whole records that worker processes read, decode and parse
themselves, so that only the converted rows cross back.

A range must end where a record ends. A newline ends a record unless it stands inside a quoted
cell, and telling the two apart needs the quotes counted from the start of the file — which goes
wrong on a quote that is part of an unquoted cell (``ab"c``: the csv module keeps it as text).
So only a file without any double quote is cut (a registry's export usually has none: its cells
hold Chinese punctuation); :func:`record_ranges` says None for any other, and the caller reads it
in one stream as before.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from django.utils.translation import gettext as _

BLOCK_BYTES = 1 << 20
_PIECE = 8 << 20
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",\t;|"


def sniff_delimiter(path: Path, encoding: str) -> str:
    """The file's delimiter as the csv module's sniffer reads the start of it (a comma when
    it cannot tell)."""
    with path.open("r", encoding=encoding, newline="", errors="replace") as handle:
        sample = handle.read(SNIFF_BYTES)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def record_ranges(
    path: Path, block_bytes: int = BLOCK_BYTES, *, first_lines: int = 0
) -> list[tuple[int, int]] | None:
    """Byte ranges (start, end) of about ``block_bytes`` each that cover the file and end after
    a newline (the last one at the end of the file), the first holding at least ``first_lines``
    whole lines; None when the file holds a double quote (see the module docstring) or its
    first piece has fewer lines than that."""
    ranges: list[tuple[int, int]] = []
    start = 0
    offset = 0  # of the piece in the file
    with path.open("rb") as handle:
        while piece := handle.read(_PIECE):
            if b'"' in piece:
                return None
            target = start + block_bytes - offset
            if not offset and first_lines:
                after = -1
                for _line in range(first_lines):
                    after = piece.find(b"\n", after + 1)
                    if after < 0:
                        return None
                target = max(target, after)
            while target < len(piece):
                newline = piece.find(b"\n", target)
                if newline < 0:
                    break
                end = offset + newline + 1
                ranges.append((start, end))
                start = end
                target = start + block_bytes - offset
            offset += len(piece)
    if start < offset:
        ranges.append((start, offset))
    return ranges


def encoding_error(path: Path):
    """The error of a file that stops decoding part-way (its start decoded)."""
    from .reader import LedgerFileError

    return LedgerFileError(
        _("%(name)s changes its text encoding part-way through; save it again as UTF-8.")
        % {"name": path.name},
        code="bad_encoding",
    )


def read_records(path: Path, start: int, end: int, encoding: str, delimiter: str) -> list[list]:
    """The records of one range, parsed as ``ledger.reader`` parses the whole file (a byte
    order mark counts only at the start of the file). Raises UnicodeDecodeError."""
    if start > 0 and codecs.lookup(encoding).name == "utf-8-sig":
        encoding = "utf-8"
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    text = data.decode(encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))

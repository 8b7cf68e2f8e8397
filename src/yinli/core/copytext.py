"""PostgreSQL: the data of a ``COPY … FROM STDIN`` in the text format, built a column at a time.

psycopg's ``Copy.write_row`` formats each value of each row as it goes: a dumper looked up and
called per value, under the interpreter lock, in the thread that sends the data. A bulk load's
rows share most of their value objects (the import's timestamp and user, a handful of dates,
amounts and choices), and a column's values are known together. :class:`CopyText` dumps each
distinct value object once, with the dumpers psycopg would use on the connection (so the
server receives the same text), and joins whole rows with ``str.join``:

    text = CopyText(connection.connection)
    names, data = text.table_data(columns, rows, varying=[2, 5])   # bytes, one line a row
    with cursor.copy(f"COPY t ({', '.join(names)}) FROM STDIN") as copy:
        copy.write(data)

The format (PostgreSQL's documentation, "COPY", "Text Format"): a tab between fields, a newline
after each row, ``\\N`` for NULL; a backslash and the control characters backspace, form feed,
newline, carriage return, tab and vertical tab inside a value are written as backslash
sequences (``\\\\``, ``\\b``, ``\\f``, ``\\n``, ``\\r``, ``\\t``, ``\\v``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence

from psycopg.adapt import PyFormat, Transformer

NULL = b"\\N"
_SPECIAL = re.compile(rb"[\x08\t\n\x0b\x0c\r\\]")
_SPECIAL_BUT_TAB = re.compile(rb"[\x08\n\x0b\x0c\r\\]")
_ESCAPES = {
    b"\x08": b"\\b",
    b"\t": b"\\t",
    b"\n": b"\\n",
    b"\x0b": b"\\v",
    b"\x0c": b"\\f",
    b"\r": b"\\r",
    b"\\": b"\\\\",
}


#: The types whose equal values are written alike, and any subclass of str (``bool`` is not
#: ``int`` here: True is 1; a datetime is not a date; a Decimal keeps its own digits).
_BY_VALUE = frozenset({str, int, type(None), datetime.date})


def _escape(match: re.Match) -> bytes:
    return _ESCAPES[match.group(0)]


def escaped(data: bytes) -> bytes:
    """``data`` (a value as its dumper writes it) as a field of the text format."""
    return _SPECIAL.sub(_escape, data) if _SPECIAL.search(data) else data


def varying_columns(
    rows: Sequence[Sequence[object]], varying: Iterable[int] | None = None
) -> dict[int, Sequence[object]]:
    """Rows of values as :meth:`CopyText.column_data` takes them: {position: the rows' values}
    for the positions of ``varying`` (default: every one)."""
    if not rows:
        return {}
    transposed = list(zip(*rows, strict=True))
    positions = range(len(transposed)) if varying is None else sorted(set(varying))
    return {i: transposed[i] for i in positions}


class CopyText:
    """Fields of the text format for Python values, dumped with the adapters of
    ``raw_connection`` (a psycopg connection, as Django's connection to PostgreSQL holds it):
    what ``write_row`` on that connection sends. Values other than texts, integers and dates
    are dumped once per distinct object while this lives (by identity, the object kept with
    its text, so that an id is not reused): one per load step (a chunk), not for a whole
    import."""

    def __init__(self, raw_connection=None) -> None:
        # Without a connection: psycopg's global adapters and UTF-8 (what Django's
        # connections use: it sets client_encoding to UTF8).
        self.transformer = Transformer(raw_connection)
        self.encoding = raw_connection.info.encoding if raw_connection is not None else "utf-8"
        self.memory: dict[int, tuple[object, bytes]] = {}

    def field(self, value: object) -> bytes:
        """``value`` as one field (NULL for None)."""
        if value is None:
            return NULL
        if value.__class__ is str:
            return escaped(value.encode(self.encoding))  # type: ignore[attr-defined]
        found = self.memory.get(id(value))
        if found is None or found[0] is not value:
            (dumped,) = self.transformer.dump_sequence([value], [PyFormat.TEXT])
            text = NULL if dumped is None else escaped(bytes(dumped))
            found = self.memory[id(value)] = (value, text)
        return found[1]

    def column(self, values: Sequence[object]) -> list[bytes]:
        """The fields of one column's values, in order, the loops over every value the C ones
        of ``map``, ``set``, ``dict`` and ``str.join``: a column of texts encoded as one; texts,
        integers and NULLs each distinct value once (equal values, equal fields); any other
        value each distinct object once (a Decimal keeps its own digits: 2.50 is not 2.5)."""
        kinds = set(map(type, values))
        if kinds == {str}:
            return self._plain_fields(list(values))  # type: ignore[arg-type]
        if all(kind in _BY_VALUE or issubclass(kind, str) for kind in kinds):
            texts: dict = {None: NULL}
            plain, plain_texts = [], []
            for value in set(values):
                kind = value.__class__
                if kind is str or kind is int:
                    plain.append(value)
                    plain_texts.append(str(value))
                elif kind is datetime.date:
                    plain.append(value)
                    plain_texts.append(value.isoformat())  # type: ignore[attr-defined]
                elif value is not None:  # a str subclass (a choice): as psycopg dumps it
                    texts[value] = self.field(value)
            texts.update(zip(plain, self._plain_fields(plain_texts), strict=True))
            return list(map(texts.__getitem__, values))
        keys = list(map(id, values))
        texts = {}
        plain_keys: list[int] = []
        plain_texts: list[str] = []
        for key, value in dict(zip(keys, values, strict=True)).items():
            if (value.__class__ is str or value.__class__ is int) and value is not None:
                plain_keys.append(key)
                plain_texts.append(str(value))
            else:
                texts[key] = self.field(value)
        if plain_texts:
            texts.update(zip(plain_keys, self._plain_fields(plain_texts), strict=True))
        return list(map(texts.__getitem__, keys))

    def _plain_fields(self, texts: list[str]) -> list[bytes]:
        """Fields of plain texts: encoded and split as one, unless one of them holds a
        character the format escapes (then one by one)."""
        data = "\t".join(texts).encode(self.encoding)
        fields = data.split(b"\t")
        if len(fields) == len(texts) and not _SPECIAL_BUT_TAB.search(data):
            return fields
        return [escaped(text.encode(self.encoding)) for text in texts]

    def rows(self, columns: Sequence[Sequence[bytes]], tail: bytes = b"") -> bytes:
        """The data of rows from their columns' fields (at least one column), each row ending
        in ``tail`` (the fields every row shares, joined, with the tab before them: see
        :meth:`table_data`)."""
        if tail:
            lines = [b"\t".join(fields) + tail for fields in zip(*columns, strict=True)]
        else:
            lines = [b"\t".join(fields) for fields in zip(*columns, strict=True)]
        if not lines:
            return b""
        lines.append(b"")
        return b"\n".join(lines)

    def table_data(
        self,
        names: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        varying: Iterable[int] | None = None,
        first: Sequence[tuple[str, Sequence[object]]] = (),
    ) -> tuple[list[str], bytes]:
        """Rows of values in the order of the column ``names`` as (the columns in the order the
        data has them, the data). ``varying``: the positions whose values may differ from row
        to row (default: all); the others are taken from the first row and written after the
        varying ones. ``first``: (name, values) columns put before all others (new keys)."""
        columns = varying_columns(rows, varying)
        shared = rows[0] if rows else [None] * len(names)
        return self.column_data(names, columns, shared, len(rows), first=first)

    def column_data(
        self,
        names: Sequence[str],
        columns: Mapping[int, Sequence[object]],
        shared: Sequence[object],
        count: int,
        *,
        first: Sequence[tuple[str, Sequence[object]]] = (),
    ) -> tuple[list[str], bytes]:
        """:meth:`table_data` for ``count`` rows given as their columns: {position in
        ``names``: the rows' values} for those that vary, and ``shared``, a row holding the
        value every row has in each other position."""
        varies = sorted(columns)
        fixed = [i for i in range(len(names)) if i not in columns]
        fields = [self.column(values) for _name, values in first]
        fields += [self.column(columns[i]) for i in varies]
        tail = b"\t".join(self.field(shared[i]) for i in fixed) if count else b""
        if tail and fields:
            tail = b"\t" + tail
        order = [name for name, _values in first]
        order += [names[i] for i in varies] + [names[i] for i in fixed]
        if not fields:  # every value shared: the tail is the whole row
            return order, (tail + b"\n") * count
        return order, self.rows(fields, tail)


__all__ = ["NULL", "CopyText", "escaped", "varying_columns"]

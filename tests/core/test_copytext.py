"""COPY data built a column at a time (yinli.core.copytext) stores what psycopg's write_row
stores, value for value, on a real PostgreSQL table of every kind of column the imports write."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from psycopg.types.json import Jsonb

from yinli.core.copytext import NULL, CopyText, escaped
from yinli.projects.models import Stage

POSTGRES = connection.vendor == "postgresql"

COLUMNS = {
    "t": "text",
    "i": "bigint",
    "n2": "numeric(12, 2)",
    "n": "numeric",
    "d": "date",
    "ts": "timestamptz",
    "b": "boolean",
    "j": "jsonb",
    "c": "varchar(20)",
}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def tricky_rows() -> list[list]:
    """Rows sharing value objects as an import's rows do, with every text the format escapes."""
    shared_date = datetime.date(2025, 3, 12)
    shared_amount = Decimal("2.50")
    stamp = datetime.datetime(2026, 11, 29, 20, 15, 7, 123456, tzinfo=datetime.UTC)
    texts = [
        "年产10万件精密光电产品项目",
        "tab\there",
        "line\nbreak",
        "carriage\rreturn",
        "back\\slash \\N",
        "\x08\x0b\x0c controls",
        "",
        " spaced ",
        "引号'\"",
    ]
    rows = []
    for n, text in enumerate(texts * 3):
        rows.append(
            [
                text,
                [n, -(2**40) - n, 0, 300 + n, None][n % 5],
                [shared_amount, Decimal("2.5"), None, Decimal("-0.01")][n % 4],
                [shared_amount, Decimal("2.5"), Decimal("1E+3"), Decimal("NaN"), None][n % 5],
                [shared_date, datetime.date(2024, 2, 29), None][n % 3],
                [stamp, stamp.astimezone(SHANGHAI), None][n % 3],
                [True, False, None][n % 3],
                [Jsonb({"名": text, "n": n}), Jsonb([1, "a\tb"]), None][n % 3],
                [Stage.SIGNED, "signed", Stage.LEAD, None][n % 4],
            ]
        )
    return rows


ESCAPES = {
    "\x08": b"\\b",
    "\t": b"\\t",
    "\n": b"\\n",
    "\x0b": b"\\v",
    "\x0c": b"\\f",
    "\r": b"\\r",
    "\\": b"\\\\",
}


def test_escaped_writes_the_backslash_sequences_of_the_text_format():
    assert escaped(b"plain") == b"plain"
    assert escaped(b"a\tb\nc\rd\\e") == b"a\\tb\\nc\\rd\\\\e"
    assert escaped(b"\x08\x0b\x0c") == b"\\b\\v\\f"


@pytest.mark.parametrize("char", list(ESCAPES))
def test_a_column_escapes_each_character_alone(char):
    """Alone in a column of texts (encoded as one), of texts and NULLs, of texts among other
    values: each way of building a column escapes it."""
    text = CopyText()
    field = b"x" + ESCAPES[char] + "y年".encode()
    assert text.column([f"x{char}y年", "z"]) == [field, b"z"]
    assert text.column([f"x{char}y年", None, "z"]) == [field, NULL, b"z"]
    assert text.column([f"x{char}y年", Decimal("1.0"), "z"]) == [field, b"1.0", b"z"]


@pytest.mark.skipif(not POSTGRES, reason="COPY is PostgreSQL's")
@pytest.mark.django_db
@pytest.mark.parametrize("varying", [None, "some"])
def test_copy_text_stores_what_write_row_stores(varying):
    rows = tricky_rows()
    names = list(COLUMNS)
    definition = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    if varying == "some":  # the others the same object in every row, as the caller vouches
        varying = [0, 1, 3, 5]
        for row in rows[1:]:
            for i in range(len(names)):
                if i not in varying:
                    row[i] = rows[0][i]
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE by_row (k bigint, {definition})")
        cursor.execute(f"CREATE TEMP TABLE by_column (k bigint, {definition})")
        with cursor.cursor.copy(f"COPY by_row (k, {', '.join(names)}) FROM STDIN") as copy:
            for k, row in enumerate(rows):
                copy.write_row([k, *row])
        order, data = CopyText(raw).table_data(
            names, rows, varying=varying, first=[("k", list(range(len(rows))))]
        )
        assert order[0] == "k" and sorted(order[1:]) == sorted(names)
        assert data.count(b"\n") == len(rows)
        with cursor.cursor.copy(f"COPY by_column ({', '.join(order)}) FROM STDIN") as copy:
            copy.write(data)
        # Compared as PostgreSQL's own text of each stored value (NaN, a numeric's scale, an
        # instant whatever its zone, JSON as stored).
        shown = ", ".join(f"{name}::text" for name in names)
        cursor.execute(f"SELECT k, {shown} FROM by_row ORDER BY k")
        expected = cursor.fetchall()
        cursor.execute(f"SELECT k, {shown} FROM by_column ORDER BY k")
        got = cursor.fetchall()
    assert len(expected) == len(rows)
    assert got == expected
    # Some of each kind of value really went in (not all NULL or empty).
    assert {row[1] for row in got} >= {"tab\there", "line\nbreak", "back\\slash \\N"}
    assert any(row[4] == "NaN" for row in got)
    assert any(row[7] == "true" for row in got)


@pytest.mark.skipif(not POSTGRES, reason="COPY is PostgreSQL's")
@pytest.mark.django_db
def test_each_distinct_value_object_is_dumped_once_and_equal_texts_alike():
    connection.ensure_connection()
    text = CopyText(connection.connection)
    two_fifty, two_five = Decimal("2.50"), Decimal("2.5")
    assert text.column([two_fifty, two_five, two_fifty, None]) == [b"2.50", b"2.5", b"2.50", NULL]
    day = datetime.date(2025, 1, 2)
    assert text.column([day, datetime.date(2025, 1, 2), None]) == [b"2025-01-02"] * 2 + [NULL]
    assert text.column([1, True, None, 1]) == [b"1", b"t", NULL, b"1"]
    assert text.column(["a\tb", "c"]) == [b"a\\tb", b"c"]
    assert text.column([Stage.SIGNED, "signed", None]) == [b"signed", b"signed", NULL]

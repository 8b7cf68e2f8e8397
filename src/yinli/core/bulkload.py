"""Bulk loads: a table's secondary indexes (and foreign keys) set aside while rows pour in.

    with transaction.atomic():
        with set_aside_indexes([Company, Company.history.model, CompanyProfile], rows=n) as aside:
            ...  # insert n rows (COPY, executemany)
        # the indexes (and foreign keys) are back here, built once from the finished tables

Keeping a B-tree (or a GIN trigram index) up to date costs a random page touch per row and per
index; building it once from the finished table is a sort — several times cheaper per row when
the load is large beside the table. Likewise on PostgreSQL a foreign key checks each new row
with a trigger and a look-up, where adding the constraint again validates the whole table in
one join.

What is set aside, per table: every index but the primary key, UNIQUE indexes (they enforce
something the load must not break) and an index backing a constraint (an exclusion
constraint's); indexes the caller names in ``keep`` (the ones the load itself reads while
it runs, e.g. a look-up by name). A single-column UNIQUE index made by CREATE UNIQUE INDEX (not
a column's or a table's UNIQUE: SQLite cannot drop those) goes too when the caller names its
column in ``unique``: the caller vouches that the load writes no duplicate, and the build at
the end checks it (a duplicate raises IntegrityError there and the transaction rolls back).
A load that must look a set-aside column up after all builds its index at once with
:func:`bring_back`. On PostgreSQL, the table's FOREIGN KEY constraints go too (see
``foreign_keys`` below; SQLite cannot drop a constraint without rebuilding the table, so there
they stay — a new row's check is a primary-key look-up of the parent, cheap). The definitions
are read from the catalog just before the drop (``sqlite_master.sql``; ``pg_get_indexdef``, as
``pg_indexes.indexdef`` shows it, and ``pg_get_constraintdef``), so what comes back is what
was there — names, columns, operator classes, storage parameters, partial predicates,
deferrability — including indexes created by hand or by raw SQL in migrations.

Only inside the caller's transaction (``connection.in_atomic_block`` is asserted). The block
runs in a savepoint of its own: DDL is transactional on SQLite and PostgreSQL alike, so when
the block raises — or the caller marks the transaction for rollback — nothing is rebuilt: the
rollback brings the indexes and constraints back as they were. On leaving the block normally,
each index is created again (PostgreSQL: with ``maintenance_work_mem`` raised for the
transaction, after ``SET CONSTRAINTS ALL IMMEDIATE``, since CREATE INDEX refuses a table with
pending trigger events — the deferred checks of rows written before) and each foreign key
added again, which validates it: a row that breaks it raises IntegrityError there, and the
transaction rolls back.

The price (why :func:`worth_setting_aside` decides):

* PostgreSQL: DROP INDEX and DROP CONSTRAINT take an ACCESS EXCLUSIVE lock on the table until
  the commit: every reader and writer of the table waits for the load. Dropping a foreign key
  also locks the table it references the same way (its triggers go), so by default only
  foreign keys between the tables set aside (and to themselves) are dropped; a key to another
  table (say the user table, which every request reads) is dropped only with
  ``foreign_keys="all"``, for a load that may freeze those readers too, or when the caller
  names that table (``foreign_keys=[Company]``).
* SQLite: the write lock is the transaction's anyway; readers (WAL) keep reading the last
  commit, but a statement prepared against the old schema is prepared again after the commit.
* Both: the rebuild is paid in full at the end, so for a small load into a large table it
  costs more than it saves: it pays from ``BULK_FROM`` rows and a load of at least a
  ``1/BULK_SHARE`` of the table's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# A load of this many rows or more, and at least 1/BULK_SHARE of the table's rows, sets the
# table's indexes aside (worth_setting_aside).
BULK_FROM = 50_000
BULK_SHARE = 5
# PostgreSQL's memory for the index builds at the end (SET LOCAL, for the builds only).
BUILD_MEMORY = "256MB"
# SQLite's helper threads for the sorts of the index builds at the end (PRAGMA threads).
BUILD_THREADS = 2
# SQLite's page cache (KiB) while a bulk write runs (page_cache).
PAGE_CACHE_KIB = 256 * 1024

ForeignKeys = Literal["none", "within", "all"]


@dataclass(frozen=True)
class SetAside:
    """An index or constraint dropped for a load, and the statement that creates it again."""

    table: str
    kind: Literal["index", "foreign key"]
    name: str
    definition: str  # the CREATE INDEX statement, or the constraint as pg_get_constraintdef
    # An index on one column (not an expression), partial or not: that column; else None.
    column: str | None = None


def _connection(using: str | None) -> BaseDatabaseWrapper:
    return connections[using or "default"]


def _tables(items: Iterable[type[models.Model] | str]) -> list[str]:
    tables: list[str] = []
    for item in items:
        table = item if isinstance(item, str) else item._meta.db_table
        if table not in tables:
            tables.append(table)
    return tables


def table_rows(table: type[models.Model] | str, *, using: str | None = None) -> int:
    """The table's rows as cheaply as the engine tells: PostgreSQL's planner estimate
    (pg_class.reltuples, counted when the table was never analyzed), SQLite's highest rowid
    (an upper bound after deletions; a count for a table without rowid)."""
    (name,) = _tables([table])
    conn = _connection(using)
    quoted = conn.ops.quote_name(name)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [quoted])
            (estimate,) = cursor.fetchone()
            if estimate is not None and estimate >= 0:
                return int(estimate)
            cursor.execute(f"SELECT count(*) FROM {quoted}")
            return cursor.fetchone()[0]
        if conn.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [name]
            )
            found = cursor.fetchone()
            if found and "WITHOUT ROWID" not in (found[0] or "").upper():
                cursor.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {quoted}")
                return cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {quoted}")
        return cursor.fetchone()[0]


def worth_setting_aside(
    table: type[models.Model] | str,
    rows: int | None,
    *,
    at_least: int | None = None,
    share: int | None = None,
    using: str | None = None,
) -> bool:
    """Whether a load of ``rows`` rows into ``table`` is better done with its indexes set
    aside: at least ``at_least`` rows, and at least 1/``share`` of the rows the table holds
    (building an index anew costs about as much as ``share`` times its share of inserts)."""
    at_least = BULK_FROM if at_least is None else at_least
    share = BULK_SHARE if share is None else share
    if not rows or rows < at_least:
        return False
    return rows * share >= table_rows(table, using=using)


def _keep_columns(
    keep: Mapping[type[models.Model] | str, Iterable[str]] | None,
) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item, names in (keep or {}).items():
        if isinstance(item, str):
            out.setdefault(item, set()).update(names)
            continue
        columns = out.setdefault(item._meta.db_table, set())
        for name in names:
            try:
                columns.add(item._meta.get_field(name).column)
            except FieldDoesNotExist:  # a column name rather than a field name
                columns.add(name)
    return out


def secondary_indexes(
    table: str, *, keep: Iterable[str] = (), unique: Iterable[str] = (), using: str | None = None
) -> list[SetAside]:
    """The table's indexes a load may set aside (see the module docstring), with their DDL.
    ``keep``: columns whose plain single-column index (B-tree, default operator class, no
    predicate) stays. ``unique``: columns whose single-column UNIQUE index (one made by CREATE
    UNIQUE INDEX, partial or not) goes too."""
    conn = _connection(using)
    keep, unique = set(keep), set(unique)
    found: list[SetAside] = []
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(f"PRAGMA index_list({conn.ops.quote_name(table)})")
            listed = cursor.fetchall()  # seq, name, unique, origin, partial
            for _seq, name, is_unique, origin, partial in listed:
                if origin != "c":  # the primary key's, or a UNIQUE of the table's definition
                    continue
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [name]
                )
                row = cursor.fetchone()
                if row is None or not row[0]:
                    continue
                cursor.execute(f"PRAGMA index_info({conn.ops.quote_name(name)})")
                columns = [column for _n, _cid, column in cursor.fetchall()]
                column = columns[0] if len(columns) == 1 else None  # None: an expression's
                if is_unique and column not in unique:
                    continue
                if not is_unique and not partial and column in keep:
                    continue
                found.append(SetAside(table, "index", name, row[0], column))
            return found
        if conn.vendor != "postgresql":
            return found
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                   am.amname, i.indnatts, i.indexprs IS NULL, i.indpred IS NULL,
                   (SELECT a.attname FROM pg_attribute a
                     WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]),
                   (SELECT oc.opcdefault FROM pg_opclass oc WHERE oc.oid = i.indclass[0]),
                   i.indisunique
              FROM pg_index i
              JOIN pg_class c ON c.oid = i.indexrelid
              JOIN pg_am am ON am.oid = c.relam
             WHERE i.indrelid = %s::regclass
               AND NOT i.indisprimary AND NOT i.indisexclusion
               AND i.indisvalid
               AND NOT EXISTS (
                   SELECT 1 FROM pg_constraint k
                    WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid
                      AND k.contype IN ('p', 'u', 'x'))
             ORDER BY c.relname
            """,
            [conn.ops.quote_name(table)],
        )
        for (
            name,
            definition,
            method,
            count,
            no_expression,
            no_predicate,
            first,
            default_class,
            is_unique,
        ) in cursor.fetchall():
            column = first if count == 1 and no_expression and first else None
            if is_unique and column not in unique:
                continue
            plain = method == "btree" and no_predicate and default_class and not is_unique
            if plain and column in keep:
                continue
            found.append(SetAside(table, "index", name, definition, column))
    return found


def foreign_key_constraints(
    table: str, *, within: Sequence[str] | None = None, using: str | None = None
) -> list[SetAside]:
    """PostgreSQL: the table's FOREIGN KEY constraints with their definitions; with ``within``,
    only those referencing one of these tables (or the table itself). Nothing on SQLite."""
    conn = _connection(using)
    if conn.vendor != "postgresql":
        return []
    with conn.cursor() as cursor:
        cursor.execute(
            """
            SELECT k.conname, pg_get_constraintdef(k.oid), r.relname
              FROM pg_constraint k JOIN pg_class r ON r.oid = k.confrelid
             WHERE k.conrelid = %s::regclass AND k.contype = 'f'
             ORDER BY k.conname
            """,
            [conn.ops.quote_name(table)],
        )
        rows = cursor.fetchall()
    allowed = None if within is None else {table, *within}
    return [
        SetAside(table, "foreign key", name, definition)
        for name, definition, referenced in rows
        if allowed is None or referenced in allowed
    ]


def _fire_pending_checks(cursor) -> None:
    """PostgreSQL refuses DROP/CREATE INDEX and ALTER TABLE on a table with pending trigger
    events (deferred foreign-key checks of rows written earlier in the transaction): run them
    now, then defer the constraints again for what follows (Django's are INITIALLY DEFERRED)."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def drop(items: Sequence[SetAside], *, using: str | None = None) -> None:
    conn = _connection(using)
    quote = conn.ops.quote_name
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql" and items:
            _fire_pending_checks(cursor)
        for item in items:
            if item.kind == "foreign key":
                cursor.execute(
                    f"ALTER TABLE {quote(item.table)} DROP CONSTRAINT {quote(item.name)}"
                )
            elif conn.vendor == "postgresql":
                cursor.execute(f"DROP INDEX {item.name}")  # regclass text: quoted as needed
            else:
                cursor.execute(f"DROP INDEX {quote(item.name)}")


def restore(
    items: Sequence[SetAside], *, using: str | None = None, memory: str = BUILD_MEMORY
) -> None:
    """Create the indexes again, then add the foreign keys again (validating them), each in
    one pass over its table."""
    conn = _connection(using)
    quote = conn.ops.quote_name
    if not items:
        return
    with conn.cursor() as cursor:
        before = None
        if conn.vendor == "sqlite":
            # The sorter of CREATE INDEX may use helper threads (the load's own are done).
            cursor.execute("PRAGMA threads")
            (before,) = cursor.fetchone()
            cursor.execute(f"PRAGMA threads = {BUILD_THREADS}")
        elif conn.vendor == "postgresql":
            _fire_pending_checks(cursor)
            cursor.execute("SELECT current_setting('maintenance_work_mem')")
            (before,) = cursor.fetchone()
            cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [memory])
        for item in items:
            if item.kind == "index":
                cursor.execute(item.definition)
        keys: dict[str, list[SetAside]] = {}
        for item in items:
            if item.kind == "foreign key":
                keys.setdefault(item.table, []).append(item)
        for table, constraints in keys.items():
            clauses = ", ".join(
                f"ADD CONSTRAINT {quote(c.name)} {c.definition}" for c in constraints
            )
            cursor.execute(f"ALTER TABLE {quote(table)} {clauses}")
        if conn.vendor == "sqlite":
            cursor.execute(f"PRAGMA threads = {int(before)}")
        elif before is not None:
            cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [before])


@contextmanager
def page_cache(kib: int = PAGE_CACHE_KIB, *, using: str | None = None) -> Iterator[None]:
    """On SQLite, a page cache of ``kib`` KiB for the block: large enough for the indexes a bulk
    write keeps up to date (with the default 2 MB, every insert into a large index reads its
    pages back from the file); the connection's own size again after. Nothing on PostgreSQL,
    whose shared buffers are the server's."""
    conn = _connection(using)
    if conn.vendor != "sqlite":
        yield
        return
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def bring_back(
    aside: list[SetAside], table: type[models.Model] | str, column: str, *, using: str | None = None
) -> bool:
    """Build now, inside the block of :func:`set_aside_indexes` that yielded ``aside``, the
    indexes on ``column`` of ``table`` (a field's name or a column's) it set aside — for a load
    that turns out to look that column up after all — and take them off ``aside`` (the block's
    end builds the rest). False when it set none aside."""
    (name,) = _tables([table])
    (wanted,) = _keep_columns({table: [column]})[name]
    items = [
        item
        for item in aside
        if item.table == name and item.kind == "index" and item.column == wanted
    ]
    if not items:
        return False
    restore(items, using=using)
    for item in items:
        aside.remove(item)
    return True


@contextmanager
def set_aside_indexes(
    tables: Iterable[type[models.Model] | str],
    *,
    rows: int | None = None,
    keep: Mapping[type[models.Model] | str, Iterable[str]] | None = None,
    unique: Mapping[type[models.Model] | str, Iterable[str]] | None = None,
    foreign_keys: ForeignKeys | Iterable[type[models.Model] | str] = "within",
    using: str | None = None,
) -> Iterator[list[SetAside]]:
    """Set aside the secondary indexes (and, on PostgreSQL, foreign keys) of the tables of
    ``tables`` (models or table names) for the block; yields what was set aside.

    ``rows``: the rows the load writes — then only the tables where
    :func:`worth_setting_aside` says it pays are touched (possibly none); without it, all.
    ``keep``: {model or table: field names} whose plain single-column index stays (the load
    reads it). ``unique``: {model or table: field names} whose single-column UNIQUE index goes
    too (the caller vouches that the load writes no duplicate). ``foreign_keys``: "within" (default) drops only the keys between these tables,
    "all" also keys to other tables (which locks those tables until the commit on PostgreSQL),
    "none" keeps them; or the models (tables) whose keys go besides those between the tables.
    See the module docstring for what happens on leaving the block; :func:`bring_back` builds
    an index again before it."""
    conn = _connection(using)
    assert conn.in_atomic_block, "set_aside_indexes runs inside the caller's transaction"
    names = _tables(tables)
    if rows is not None:
        names = [t for t in names if worth_setting_aside(t, rows, using=using)]
    kept, unique_columns = _keep_columns(keep), _keep_columns(unique)
    refused = False
    with transaction.atomic(using=conn.alias):
        aside: list[SetAside] = []
        for table in names:
            aside += secondary_indexes(
                table,
                keep=kept.get(table, ()),
                unique=unique_columns.get(table, ()),
                using=using,
            )
        if foreign_keys != "none":
            if foreign_keys == "all":
                within = None
            elif foreign_keys == "within":
                within = names
            else:
                within = [*names, *_tables(foreign_keys)]
            for table in names:
                aside += foreign_key_constraints(table, within=within, using=using)
        drop(aside, using=using)
        yield aside
        # The caller marked the transaction for rollback inside the block: the savepoint's
        # rollback restores everything; the mark then passes on to the caller's block.
        refused = conn.needs_rollback
        if not refused:
            restore(aside, using=using)
    if refused:
        transaction.set_rollback(True, using=conn.alias)


__all__ = [
    "BULK_FROM",
    "BULK_SHARE",
    "PAGE_CACHE_KIB",
    "SetAside",
    "bring_back",
    "foreign_key_constraints",
    "page_cache",
    "restore",
    "secondary_indexes",
    "set_aside_indexes",
    "table_rows",
    "worth_setting_aside",
]

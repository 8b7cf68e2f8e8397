"""A second thread for an import's bulk INSERTs, on the import's own connection and transaction.

    with write_pipeline() as pipe:          # inside transaction.atomic(), holding the write lock
        ids = pipe.new_ids(Project, len(rows))
        pipe.submit(lambda cursor: cursor.executemany(...))
        ...                                  # plan the next chunk meanwhile

An import alternates between Python work (reading cells, checking them, building rows) and the
database's work on the rows it sends (SQLite's B-tree and index updates, PostgreSQL's COPY). The
sqlite3 module and psycopg release the interpreter lock while the database works, so that work can
run in a second thread while the first one plans the next chunk: on two cores the import takes
about the longer of the two instead of their sum.

The rules that keep this correct:
- Statements run in the order they were submitted, on the same connection, so in the same
  transaction as everything else the import writes.
- Any query the importing thread sends through Django first waits until every submitted
  statement has run (an execute wrapper on the connection): what it reads includes what was
  written. The transaction's commit or rollback waits the same way when the pipeline closes.
- On PostgreSQL the foreign keys are checked at the end of each statement while the pipeline
  runs (SET CONSTRAINTS ALL IMMEDIATE): jobs write parents before children.
- A statement that fails stops the pipeline; the failure is raised in the importing thread at its
  next submit or wait (and the transaction is rolled back by the caller's ``atomic``).
- New primary keys are handed out by the pipeline, not returned by the INSERT: from the table's
  sequence on PostgreSQL; on SQLite from the largest id or AUTOINCREMENT counter, which is
  only safe while this transaction holds SQLite's write lock — :func:`write_pipeline` therefore
  runs only inside an atomic block that has already written (the import's batch record).
"""

from __future__ import annotations

import contextlib
import contextvars
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterator

from django.db import connection, models
from django.db.models.sql import InsertQuery, UpdateQuery

_ACTIVE: contextvars.ContextVar[WritePipeline | None] = contextvars.ContextVar(
    "yinli_write_pipeline", default=None
)

#: How soon (seconds) the importing thread hands the interpreter to the writing thread when
#: the database has finished a statement and the writer waits (Python's default, 5 ms, makes
#: the writer wait that long after each statement).
SWITCH_INTERVAL = 0.0005

#: Django's "%s" placeholders (not "%%s", a literal "%s"), to become SQLite's "?".
_QMARK = re.compile(r"(?<!%)%s")

#: PostgreSQL: new ids taken from a table's sequence at a time, at least.
ID_BLOCK = 20_000

#: Jobs waiting for the writing thread at most; the importing thread waits beyond (memory).
QUEUE_LENGTH = 8


class WritePipeline:
    def __init__(self) -> None:
        self.raw = connection.connection  # the driver's connection under Django's wrapper
        self.errors = connection.wrap_database_errors  # the driver's errors as Django's
        self.vendor = connection.vendor
        self.jobs: queue.Queue = queue.Queue(maxsize=QUEUE_LENGTH)
        self.failure: BaseException | None = None
        self._next_ids: dict[str, int] = {}
        self._reserved: dict[str, list[int]] = {}
        self._asking: set[str] = set()  # tables whose next block of ids a job fetches
        self._sequences: dict[str, str] = {}
        self.thread = threading.Thread(target=self._work, name="yinli-import-writer", daemon=True)
        self.thread.start()

    # -- the writing thread ---------------------------------------------------------------------

    def _work(self) -> None:
        cursor = self.raw.cursor()
        try:
            while True:
                job = self.jobs.get()
                try:
                    if job is None:
                        return
                    if self.failure is None:
                        with self.errors:
                            job(cursor)
                except BaseException as exc:  # raised again in the importing thread
                    self.failure = exc
                finally:
                    self.jobs.task_done()
        finally:
            cursor.close()

    # -- the importing thread -------------------------------------------------------------------

    def submit(self, job: Callable) -> None:
        """Run ``job(cursor)`` in the writing thread after the jobs submitted before it."""
        self._raise()
        self.jobs.put(job)

    def execute(self, statements: list[tuple[str, list]]) -> None:
        """Run the (SQL, parameters) statements, in the driver's placeholder style, in order."""

        def job(cursor) -> None:
            for sql, params in statements:
                cursor.execute(sql, params)

        self.submit(job)

    def save(self, instance: models.Model, *, insert: bool) -> None:
        """INSERT (with its primary key set, see :meth:`new_ids`) or UPDATE every column of a
        model instance in the writing thread, after the jobs before it: a record the import
        keeps about itself (its batch) written without the importing thread waiting for the
        rows before it. The statement is Django's own (its compilers, the values prepared as
        ``save()`` prepares them)."""
        model = type(instance)
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        if insert:
            query = InsertQuery(model)
            query.insert_values([model._meta.pk, *fields], [instance])
            ((sql, params),) = query.get_compiler(connection=connection).as_sql()
        else:
            query = UpdateQuery(model)
            query.add_update_fields([(f, None, f.pre_save(instance, False)) for f in fields])
            query.add_filter("pk", instance.pk)
            sql, params = query.get_compiler(connection=connection).as_sql()
        if self.vendor == "sqlite":  # the driver's own placeholders
            sql = _QMARK.sub("?", sql).replace("%%", "%")
        self.execute([(sql, list(params))])

    def wait(self) -> None:
        """Until every submitted job has run; raises the failure of one that failed."""
        if self.thread.is_alive():
            self.jobs.join()
        self._raise()

    def _raise(self) -> None:
        if self.failure is not None:  # stays set: the jobs after a failed one do not run
            raise self.failure

    def close(self) -> None:
        if self.thread.is_alive():
            self.jobs.put(None)
            self.thread.join()

    def _sequence(self, model: type[models.Model]) -> str:
        """PostgreSQL: the name of the sequence of ``model``'s primary key (asked once)."""
        table = model._meta.db_table
        if table not in self._sequences:
            self.wait()
            with self.raw.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column]
                )
                (self._sequences[table],) = cursor.fetchone()
        return self._sequences[table]

    def new_ids(self, model: type[models.Model], count: int, *, block: int = ID_BLOCK) -> list[int]:
        """``count`` new primary keys of ``model``'s table, in increasing order. ``block``
        (PostgreSQL): the keys taken from the sequence at a time (a table that takes a key a
        chunk, not thousands, leaves smaller gaps with a small one)."""
        table = model._meta.db_table
        if self.vendor == "postgresql":
            # Taken from the sequence a block at a time; ids left over are a gap, as a
            # rolled-back insert leaves. The next block is asked for by a job of the writing
            # thread when the reserve runs low (the connection is free only there), so the
            # importing thread seldom waits for the jobs before it to finish.
            reserved = self._reserved.setdefault(table, [])
            if len(reserved) < count:
                self.wait()  # the block asked for ahead, if any, is in
                if len(reserved) < count:
                    with self.raw.cursor() as cursor:
                        reserved.extend(take_ids(cursor, self._sequence(model), max(count, block)))
            ids, reserved[:count] = reserved[:count], []
            if len(reserved) < block // 2 and table not in self._asking:
                self._asking.add(table)
                sequence = self._sequence(model)

                def ask(cursor) -> None:
                    reserved.extend(take_ids(cursor, sequence, block))
                    self._asking.discard(table)

                self.submit(ask)
            return ids
        if table not in self._next_ids:
            self.wait()
            quoted = connection.ops.quote_name(table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor = self.raw.cursor()
            try:
                (largest,) = cursor.execute(f"SELECT max({pk}) FROM {quoted}").fetchone()
                try:
                    found = cursor.execute(
                        "SELECT seq FROM sqlite_sequence WHERE name = ?", [table]
                    ).fetchone()
                except Exception:  # no AUTOINCREMENT table in the database
                    found = None
            finally:
                cursor.close()
            self._next_ids[table] = max(largest or 0, found[0] if found else 0) + 1
        first = self._next_ids[table]
        self._next_ids[table] = first + count
        return list(range(first, first + count))


def take_ids(cursor, sequence: str, count: int) -> list[int]:
    """PostgreSQL: ``count`` values of ``sequence``, in increasing order, as one array (not a
    row each; and the sequence named, not looked up by pg_get_serial_sequence for each value)."""
    cursor.execute(
        "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)", [sequence, count]
    )
    (values,) = cursor.fetchone()
    return sorted(values)


def active() -> WritePipeline | None:
    """The pipeline of the import running in this thread (context), if any."""
    return _ACTIVE.get()


@contextlib.contextmanager
def write_pipeline() -> Iterator[WritePipeline]:
    """A :class:`WritePipeline` for the block (see the module docstring); every job has run (or
    the block raises) when it ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("write_pipeline() runs inside transaction.atomic()")
    connection.ensure_connection()
    pipe = WritePipeline()
    token = _ACTIVE.set(pipe)

    def barrier(execute, sql, params, many, context):
        pipe.wait()
        return execute(sql, params, many, context)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    immediate = connection.vendor == "postgresql"
    if immediate:
        # The foreign keys checked at the end of each statement — in the writing thread, while
        # the importing thread plans — not all at the commit, after everything, in the
        # importing thread. The jobs insert parents before children (companies, then projects,
        # then their stage log), as the checks then require.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        with connection.execute_wrapper(barrier):
            yield pipe
            pipe.wait()
    finally:
        _ACTIVE.reset(token)
        pipe.close()
        sys.setswitchinterval(interval)
    if immediate:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

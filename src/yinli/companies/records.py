"""Creation records written when they are first needed.

The enterprise import (:mod:`yinli.chains.enterprise`) creates companies by the million without
a history row each: until such a company first changes, its own row — ``created_at``,
``created_by``, version 1 — is its creation record, and copying it into the history was a third
of what a province's first load wrote (2,000,000 companies, bench/test_chains.py: the copy, its
three indexes and its bytes at the commit took the import from 74.8 to 96.2 s on SQLite and
from 95.4 to 118.0 s on PostgreSQL).

Whatever changes or deletes a company calls :func:`record_creations` first — the receivers in
:mod:`yinli.companies.signals` (every save and delete through the ORM), the enterprise import's
updates — which writes the "+" row of each company that has none, dated when the company was
created and by whom, with the values it has before the change; the change's own row follows,
and the history shows what it changed. (A bulk ``UPDATE`` that keeps no history — a region
reorganisation — leaves its values in such a late creation record.)
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from .models import Company

# The reason of the creation records written late: only the enterprise import leaves them out.
CREATION_REASON = "企业库导入"
# SQLite: keys a statement at most.
_SQLITE_BATCH = 500


def _statement() -> str:
    history = Company.history.model
    quote = connection.ops.quote_name
    tracked = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    target = [quote(f.column) for f in tracked]
    source = [f"c.{quote(Company._meta.get_field(f.name).column)}" for f in tracked]
    target += [
        quote(history._meta.get_field(name).column)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    source += [
        f"c.{quote(Company._meta.get_field('created_at').column)}",
        "%s",
        "'+'",
        f"c.{quote(Company._meta.get_field('created_by').column)}",
    ]
    table, pk = quote(history._meta.db_table), quote(Company._meta.pk.column)
    return (
        f"INSERT INTO {table} ({', '.join(target)}) "
        f"SELECT {', '.join(source)} FROM {quote(Company._meta.db_table)} AS c "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS h WHERE h.{pk} = c.{pk}) AND c.{pk} "
    )


def record_creations(ids: Iterable[int]) -> int:
    """Write the creation record ("+") of each company of ``ids`` that has no history row yet
    (see the module docstring); call it before changing or deleting them. Returns how many."""
    ids = sorted({int(pk) for pk in ids if pk is not None})
    if not ids:
        return 0
    head = _statement()
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{head}= ANY(%s) ORDER BY c.id", [CREATION_REASON, ids])
            return cursor.rowcount
        for start in range(0, len(ids), _SQLITE_BATCH):
            part = ids[start : start + _SQLITE_BATCH]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"{head}IN ({marks}) ORDER BY c.id", [CREATION_REASON, *part])
            written += cursor.rowcount
    return written

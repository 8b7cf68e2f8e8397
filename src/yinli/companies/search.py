"""Candidate search (候选企业): which registered companies a name or a credit code may mean.

:func:`search_candidates` answers in three steps:

1. **Credit code.** A text that is, or looks like, a 统一社会信用代码 (18 characters of the code
   alphabet, digits in positions 3–8) is looked up exactly and nothing else: score 100, reason
   "同一信用代码".
2. **Narrowing in the database** to at most :data:`NARROW_LIMIT` companies, from the normalized
   name (:func:`yinli.core.names.normalize_company_name`) and, for a Latin query, the pinyin
   initials:

   * always the companies whose normalized name equals the query's (B-tree index), so an exact
     variant can never be crowded out;
   * PostgreSQL: ``pg_trgm``. A GIN ``gin_trgm_ops`` index on ``name_normalized`` (migration
     0003) answers ``name_normalized % query`` with ``pg_trgm.similarity_threshold`` lowered to
     :data:`PG_SIMILARITY_THRESHOLD` for this transaction only, ordered by ``similarity()``;
   * SQLite: an FTS5 table ``companies_company_search`` (``tokenize='trigram'``) over the
     normalized name and the initials, kept in step by triggers (migration 0003, re-created by
     :mod:`yinli.companies.signals` when a table rebuild dropped them). The query's trigrams are
     OR-ed, so a partial overlap still finds a name ("恒远光电" finds "恒远光电科技"), and bm25
     orders them: rows sharing more, and rarer, trigrams come first;
   * a query of one or two characters has no trigram (FTS5 then finds nothing and pg_trgm next to
     nothing), so on both engines it is matched as a prefix through the B-tree index (a range,
     which works whatever the collation's LIKE support) and then as a substring;
   * a Latin query ("hygd") is also matched against the pinyin initials: as a prefix (B-tree),
     and, from three letters, as a substring through the trigram index (FTS5 phrase / pg_trgm
     LIKE).

3. **Re-ranking in Python** with one fixed scorer, ``rapidfuzz.fuzz.WRatio``, on the normalized
   names. Why WRatio: on names of similar length it is the plain edit-based ratio, so a near
   miss stays a near miss ("恒远光电" vs "恒远电子" scores 75); when one name is much longer it
   scores the best-matching part and scales it by 0.9, so a short form people type is a strong
   match for the registered name ("恒远光电" vs "恒远光电科技" scores 90) rather than the 80 of
   the plain ratio, which would rank it with unrelated names of the same brand. Chinese names
   have no spaces, so WRatio's token variants add nothing and cost little. Ties go to the higher
   plain ratio (the closer length), then the older record. Initials are scored with the same
   scorer against ``name_initials`` (only for rows whose initials contain the query).

The result: at most ``limit`` :class:`Candidate`, best first, soft-deleted companies never, merged
ones only when asked for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from yinli.core.names import normalize_company_name

from .models import Company
from .uscc import ALPHABET

__all__ = [
    "NARROW_LIMIT",
    "PG_SIMILARITY_THRESHOLD",
    "Candidate",
    "MatchKind",
    "looks_like_uscc",
    "score_names",
    "search_candidates",
]

#: How many companies the database hands to the Python re-ranking at most (per narrowing step).
NARROW_LIMIT = 300
#: pg_trgm similarity below which PostgreSQL does not offer a name (default of pg_trgm: 0.3).
PG_SIMILARITY_THRESHOLD = 0.2
#: The FTS5 table of the SQLite engine (created by migration 0003).
FTS_TABLE = "companies_company_search"

_CODE_CHARS = frozenset(ALPHABET)
_LATIN_QUERY = re.compile(r"[a-z0-9]+")


class MatchKind:
    CODE = "code"
    NAME = "name"
    INITIALS = "initials"


class Candidate(NamedTuple):
    """A company a search text may mean, with how sure (0–100) and why."""

    company_id: int
    name: str
    score: int
    reason: str
    #: What matched: MatchKind.CODE, NAME or INITIALS (not part of the JSON of the command).
    match: str = MatchKind.NAME

    def as_dict(self) -> dict[str, object]:
        return {
            "company_id": self.company_id,
            "name": self.name,
            "score": self.score,
            "reason": self.reason,
        }


def score_names(query_normalized: str, name_normalized: str) -> int:
    """The one scorer of candidate search, 0–100, on two normalized names (see module doc)."""
    return round(fuzz.WRatio(query_normalized, name_normalized))


def looks_like_uscc(text: str) -> str | None:
    """The text as a credit code (canonical: half-width capitals) if it has the shape of one.

    The shape, not the check characters: a code mistyped by one character is still looked up
    exactly (and then simply not found), never searched as a company name.
    """
    code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text or "")).upper()
    if len(code) == 18 and set(code) <= _CODE_CHARS and code[2:8].isdigit():
        return code
    return None


def _live(exclude_merged: bool) -> QuerySet:
    companies = Company.objects.all()
    return companies.filter(merged_into__isnull=True) if exclude_merged else companies


def search_candidates(
    text_or_code: str, *, limit: int = 10, exclude_merged: bool = True
) -> list[Candidate]:
    """The companies ``text_or_code`` (a name in any variant, or a credit code) may mean.

    Best first, at most ``limit``; an empty list when nothing comes near.
    """
    text = " ".join(str(text_or_code or "").split())
    if not text or limit < 1:
        return []
    companies = _live(exclude_merged)
    code = looks_like_uscc(text)
    if code is not None:
        found = companies.filter(uscc=code).values_list("pk", "name").first()
        if found is None:
            return []
        return [Candidate(found[0], found[1], 100, _("Same credit code"), MatchKind.CODE)]
    return _rank(text, companies, limit, exclude_merged=exclude_merged)


def _latin_query(text: str) -> str | None:
    """The text as pinyin initials to look up, if it is Latin letters (and digits) only."""
    compact = unicodedata.normalize("NFKC", text).replace(" ", "").lower()
    if len(compact) >= 2 and _LATIN_QUERY.fullmatch(compact) and not compact.isdigit():
        return compact
    return None


def _rank(text: str, companies: QuerySet, limit: int, *, exclude_merged: bool) -> list[Candidate]:
    normalized = normalize_company_name(text)
    initials = _latin_query(text)
    ids = _narrow(normalized, initials, companies, exclude_merged=exclude_merged)
    if not ids:
        return []
    scored: list[tuple[int, int, int, str, str]] = []
    rows = companies.filter(pk__in=ids).values_list(
        "pk", "name", "name_normalized", "name_initials"
    )
    for pk, name, name_normalized, name_initials in rows:
        score = score_names(normalized, name_normalized)
        tie = round(fuzz.ratio(normalized, name_normalized))
        kind = MatchKind.NAME
        if initials and initials in name_initials:
            initials_score = score_names(initials, name_initials)
            if initials_score > score:
                score, tie, kind = initials_score, round(fuzz.ratio(initials, name_initials)), (
                    MatchKind.INITIALS
                )
        if score > 0:
            scored.append((score, tie, pk, name, kind))
    scored.sort(key=lambda row: (-row[0], -row[1], row[2]))
    return [
        Candidate(pk, name, score, _reason(kind, score, initials), kind)
        for score, _tie, pk, name, kind in scored[:limit]
    ]


def _reason(kind: str, score: int, initials: str | None) -> str:
    if kind == MatchKind.INITIALS:
        return _("Pinyin initials %(initials)s") % {"initials": initials}
    return _("Name %(score)s%% similar") % {"score": score}


# --- narrowing in the database ------------------------------------------------------------------


def _narrow(
    normalized: str, initials: str | None, companies: QuerySet, *, exclude_merged: bool
) -> set[int]:
    ids: set[int] = set(
        companies.filter(name_normalized=normalized).values_list("pk", flat=True)[:NARROW_LIMIT]
    )
    if len(normalized) >= 3:
        ids |= _trigram_ids(normalized, companies, exclude_merged=exclude_merged)
    if len(normalized) < 3 or len(ids) < NARROW_LIMIT // 10:
        # Under three characters no trigram exists; a long query with few trigram hits gets the
        # prefix and substring matches too.
        ids |= _short_ids("name_normalized", normalized, companies)
    if initials:
        ids |= _initials_ids(initials, companies)
    return ids


def _prefix_range(field: str, prefix: str) -> dict[str, str]:
    """A prefix as a range on the B-tree index (LIKE 'x%' does not use it under every collation)."""
    return {f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)}


def _short_ids(field: str, text: str, companies: QuerySet) -> set[int]:
    if not text:
        return set()
    ids = set(companies.filter(**_prefix_range(field, text)).values_list("pk", flat=True)[:NARROW_LIMIT])
    if len(ids) < NARROW_LIMIT:
        ids |= set(
            companies.filter(**{f"{field}__contains": text}).values_list("pk", flat=True)[
                :NARROW_LIMIT
            ]
        )
    return ids


def _initials_ids(initials: str, companies: QuerySet) -> set[int]:
    ids = set(
        companies.filter(**_prefix_range("name_initials", initials)).values_list("pk", flat=True)[
            :NARROW_LIMIT
        ]
    )
    if len(initials) >= 3 and len(ids) < NARROW_LIMIT:
        if connection.vendor == "sqlite":
            found = _fts_ids(f"name_initials : {_phrase(initials)}", rank=False)
            ids |= set(companies.filter(pk__in=found).values_list("pk", flat=True))
        else:
            # PostgreSQL answers LIKE '%…%' from the trigram index; others scan.
            ids |= set(
                companies.filter(name_initials__contains=initials).values_list("pk", flat=True)[
                    :NARROW_LIMIT
                ]
            )
    return ids


def _trigram_ids(normalized: str, companies: QuerySet, *, exclude_merged: bool) -> set[int]:
    if connection.vendor == "postgresql":
        return _pg_trigram_ids(normalized, exclude_merged=exclude_merged)
    if connection.vendor == "sqlite":
        terms = " OR ".join(_phrase(t) for t in _trigrams(normalized))
        found = _fts_ids(f"name_normalized : ({terms})", rank=True)
        return set(companies.filter(pk__in=found).values_list("pk", flat=True))
    # Another engine: substring matches of a few trigrams (correct, not fast).
    ids: set[int] = set()
    for trigram in list(_trigrams(normalized))[:4]:
        ids |= set(
            companies.filter(name_normalized__contains=trigram).values_list("pk", flat=True)[
                : NARROW_LIMIT // 4
            ]
        )
    return ids


def _trigrams(text: str) -> Iterable[str]:
    seen: dict[str, None] = {}
    for i in range(len(text) - 2):
        seen.setdefault(text[i : i + 3], None)
    return seen.keys()


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _fts_ids(match: str, *, rank: bool) -> list[int]:
    order = " ORDER BY rank" if rank else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s{order} LIMIT %s",
            [match, NARROW_LIMIT],
        )
        return [row[0] for row in cursor.fetchall()]


def _pg_trigram_ids(normalized: str, *, exclude_merged: bool) -> set[int]:
    table = Company._meta.db_table
    merged = " AND merged_into_id IS NULL" if exclude_merged else ""
    with transaction.atomic(), connection.cursor() as cursor:
        # is_local=true: the lowered threshold ends with this transaction.
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
            [str(PG_SIMILARITY_THRESHOLD)],
        )
        cursor.execute(
            f"SELECT id FROM {table} WHERE name_normalized %% %s AND deleted_at IS NULL{merged} "
            "ORDER BY similarity(name_normalized, %s) DESC, id LIMIT %s",
            [normalized, normalized, NARROW_LIMIT],
        )
        return {row[0] for row in cursor.fetchall()}



# --- the index itself (created by migration 0003, checked after every migrate) ------------------

_TABLE = "companies_company"
_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_insert": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON {_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}(rowid, name_normalized, name_initials)
            VALUES (new.id, new.name_normalized, new.name_initials);
        END""",
    f"{FTS_TABLE}_delete": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON {_TABLE} BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        END""",
    f"{FTS_TABLE}_update": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update
        AFTER UPDATE OF id, name_normalized, name_initials ON {_TABLE} BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
            INSERT INTO {FTS_TABLE}(rowid, name_normalized, name_initials)
            VALUES (new.id, new.name_normalized, new.name_initials);
        END""",
}
_PG_INDEXES = {
    "companies_company_name_normalized_trgm": "name_normalized",
    "companies_company_name_initials_trgm": "name_initials",
}


def install_search_index(conn) -> None:
    """Create the trigram index of the connection's engine and fill it (idempotent)."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            # A table of its own (not external content): a row is deleted by its rowid alone.
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
                "USING fts5(name_normalized, name_initials, tokenize='trigram')"
            )
            _sqlite_refill(cursor)
        elif conn.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for index, column in _PG_INDEXES.items():
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {index} ON {_TABLE} "
                    f"USING gin ({column} gin_trgm_ops)"
                )


def drop_search_index(conn) -> None:
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for trigger in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif conn.vendor == "postgresql":
            for index in _PG_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {index}")


def repair_search_index(conn) -> bool:
    """On SQLite, re-create missing triggers and refill the index; True when it had to.

    Django alters a SQLite table by copying it into a new one and dropping the old, which drops
    the old table's triggers with it: after such a migration the index would silently go stale.
    """
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND "
            "tbl_name = %s)",
            [FTS_TABLE, _TABLE],
        )
        found = {name for _type, name in cursor.fetchall()}
        if FTS_TABLE not in found or set(_SQLITE_TRIGGERS) <= found:
            return False
        _sqlite_refill(cursor)
        return True


def _sqlite_refill(cursor) -> None:
    for trigger in _SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    cursor.execute(f"DELETE FROM {FTS_TABLE}")
    cursor.execute(
        f"INSERT INTO {FTS_TABLE}(rowid, name_normalized, name_initials) "
        f"SELECT id, name_normalized, name_initials FROM {_TABLE}"
    )
    for sql in _SQLITE_TRIGGERS.values():
        cursor.execute(sql)

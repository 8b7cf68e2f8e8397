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
   * the names that are a part of the query ("光电科技" inside "恒远光电科技", B-tree again: the
     scorer rates them 90 whatever trigrams they share) and those that begin with its first two
     characters (the brand, so that a typo further on stays within reach);
   * PostgreSQL: ``pg_trgm``. A GIN ``gin_trgm_ops`` index on ``name_normalized`` (migration
     0003) answers ``name_normalized LIKE '%…%'`` for the query's distinctive trigrams (see
     below), ordered by ``similarity()``; on a small registry that finds almost nothing,
     ``name_normalized % query`` with ``pg_trgm.similarity_threshold`` lowered to
     :data:`PG_SIMILARITY_THRESHOLD` for this transaction only;
   * SQLite: an FTS5 table ``companies_company_search`` (``tokenize='trigram'``) over the
     normalized name and the initials, kept in step by triggers (migration 0003, re-created by
     :mod:`yinli.companies.signals` when a table rebuild dropped them). The query's trigrams are
     OR-ed, so a partial overlap still finds a name ("恒远光电" finds "恒远光电科技"), and bm25
     orders them: rows sharing more, and rarer, trigrams come first;
   * on both engines a trigram held by more than :data:`COMMON_TRIGRAM` names ("光电科" of every
     光电科技) is left out of the ranked query when rarer ones exist: ranking tens of thousands
     of rows is what would cost, and they say little about which firm is meant (the counts stop
     at that bound and are remembered per process);
   * a query of one or two characters has no trigram (FTS5 then finds nothing and pg_trgm next to
     nothing), so on both engines it is matched as a prefix through the B-tree index (a range,
     which works whatever the collation's LIKE support) and then as a substring; a longer query
     with few trigram hits also gets the names that begin with its first two characters (the
     brand: "恒远光电" shares no trigram with "恒远电子", yet the user wants to see it);
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
#: A trigram in more names than this is too common to rank by (see _sqlite_trigram_ids).
COMMON_TRIGRAM = 2000
#: When the distinctive trigrams find fewer names than this, all trigrams are asked.
FEW_HITS = 5
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


def _rows() -> QuerySet:
    """Every company row, unordered and unfiltered, for the narrowing queries.

    No ordering: the model's ORDER BY name would make each LIMIT sort the whole match first.
    No filter on deleted_at / merged_into either: with them SQLite's planner may walk the
    (all-NULL) merged_into index instead of the one that narrows; the rows found are filtered
    in Python instead (see _rank).
    """
    return Company.all_objects.order_by()


def search_candidates(
    text_or_code: str, *, limit: int = 10, exclude_merged: bool = True
) -> list[Candidate]:
    """The companies ``text_or_code`` (a name in any variant, or a credit code) may mean.

    Best first, at most ``limit``; an empty list when nothing comes near.
    """
    text = " ".join(str(text_or_code or "").split())
    if not text or limit < 1:
        return []
    code = looks_like_uscc(text)
    if code is not None:
        companies = Company.objects.order_by()
        if exclude_merged:
            companies = companies.filter(merged_into__isnull=True)
        found = companies.filter(uscc=code).values_list("pk", "name").first()
        if found is None:
            return []
        return [Candidate(found[0], found[1], 100, _("Same credit code"), MatchKind.CODE)]
    return _rank(text, limit, exclude_merged=exclude_merged)


def _latin_query(text: str) -> str | None:
    """The text as pinyin initials to look up, if it is Latin letters (and digits) only."""
    compact = unicodedata.normalize("NFKC", text).replace(" ", "").lower()
    if len(compact) >= 2 and _LATIN_QUERY.fullmatch(compact) and not compact.isdigit():
        return compact
    return None


def _rank(text: str, limit: int, *, exclude_merged: bool) -> list[Candidate]:
    normalized = normalize_company_name(text)
    initials = _latin_query(text)
    ids = _narrow(normalized, initials)
    if not ids:
        return []
    scored: list[tuple[int, int, int, str, str]] = []
    for pk, name, name_normalized, name_initials, deleted_at, merged_into in _fetch(ids):
        if deleted_at is not None or (exclude_merged and merged_into is not None):
            continue
        score = score_names(normalized, name_normalized)
        tie = round(fuzz.ratio(normalized, name_normalized))
        kind = MatchKind.NAME
        if initials and initials in name_initials:
            initials_score = score_names(initials, name_initials)
            if initials_score > score:
                score, kind = initials_score, MatchKind.INITIALS
                tie = round(fuzz.ratio(initials, name_initials))
        if score > 0:
            scored.append((score, tie, pk, name, kind))
    scored.sort(key=lambda row: (-row[0], -row[1], row[2]))
    return [
        Candidate(pk, name, score, _reason(kind, score, initials), kind)
        for score, _tie, pk, name, kind in scored[:limit]
    ]


def _fetch(ids: set[int]) -> list[tuple]:
    # Plain SQL: the ORM spends longer preparing 300 ids for "IN" than the database answering.
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name, name_normalized, name_initials, deleted_at, merged_into_id "
            f"FROM {Company._meta.db_table} WHERE id IN ({marks})",
            list(ids),
        )
        return cursor.fetchall()


def _reason(kind: str, score: int, initials: str | None) -> str:
    if kind == MatchKind.INITIALS:
        return _("Pinyin initials %(initials)s") % {"initials": initials}
    return _("Name %(score)s%% similar") % {"score": score}


# --- narrowing in the database ------------------------------------------------------------------


def _ids(queryset: QuerySet) -> set[int]:
    return set(queryset.values_list("pk", flat=True)[:NARROW_LIMIT])


def _narrow(normalized: str, initials: str | None) -> set[int]:
    # The name itself, and the names that are a part of it ("恒远光电科技" → "恒远光电", "光电科技"):
    # the scorer rates a name found whole inside the query 90, whatever trigrams it shares.
    ids = _ids(_rows().filter(name_normalized__in=_parts(normalized)))
    if len(normalized) >= 3:
        ids |= _trigram_ids(normalized)
        # The names that begin alike (the brand): they keep a typo further on within reach
        # ("川纳丰密机械" → "川纳精密机械") when every trigram after the brand is common.
        ids |= _short_ids("name_normalized", normalized[:2], contains=False)
    else:
        # No trigram at all: a prefix, then a substring.
        ids |= _short_ids("name_normalized", normalized)
    if initials:
        ids |= _initials_ids(initials)
    return ids


def _parts(text: str) -> list[str]:
    """The text and, up to 12 characters, every contiguous part of it of two or more (≤ 66)."""
    return list(
        {text[i:j]: None for i in range(len(text)) for j in range(i + 2, len(text) + 1)}
        if len(text) <= 12
        else {text: None}
    )


def _prefix_range(field: str, prefix: str) -> dict[str, str]:
    """A prefix as a range on the B-tree index (LIKE 'x%' does not use it under every collation)."""
    return {f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)}


def _short_ids(field: str, text: str, *, contains: bool = True) -> set[int]:
    if not text:
        return set()
    ids = _ids(_rows().filter(**_prefix_range(field, text)))
    if contains and len(ids) < NARROW_LIMIT:
        ids |= _ids(_rows().filter(**{f"{field}__contains": text}))
    return ids


def _initials_ids(initials: str) -> set[int]:
    ids = _ids(_rows().filter(**_prefix_range("name_initials", initials)))
    if len(initials) >= 3 and len(ids) < NARROW_LIMIT:
        if connection.vendor == "sqlite":
            ids.update(_fts_ids(f"name_initials : {_phrase(initials)}", rank=False))
        else:
            # PostgreSQL answers LIKE '%…%' from the trigram index; others scan.
            ids |= _ids(_rows().filter(name_initials__contains=initials))
    return ids


def _trigram_ids(normalized: str) -> set[int]:
    if connection.vendor == "postgresql":
        return _pg_trigram_ids(normalized)
    if connection.vendor == "sqlite":
        return set(_sqlite_trigram_ids(normalized))
    # Another engine: substring matches of a few trigrams (correct, not fast).
    ids: set[int] = set()
    for trigram in list(_trigrams(normalized))[:4]:
        ids |= _ids(_rows().filter(name_normalized__contains=trigram))
    return ids


def _trigrams(text: str) -> Iterable[str]:
    seen: dict[str, None] = {}
    for i in range(len(text) - 2):
        seen.setdefault(text[i : i + 3], None)
    return seen.keys()


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _sqlite_trigram_ids(normalized: str) -> list[int]:
    """The names sharing the query's distinctive trigrams, most similar first (bm25).

    Ranking is what costs: bm25 over the 25,000 names of a million that share "光电科" takes
    tens of milliseconds, while those names say little about which firm is meant. So a trigram
    found in more than :data:`COMMON_TRIGRAM` names is left out of the ranked query when rarer
    ones exist (counting stops at that bound, so the check stays cheap); if the rare ones find
    almost nothing (a typo in the brand), every trigram is asked after all.
    """
    terms = list(_trigrams(normalized))
    rare = [t for t in terms if _trigram_count(t) <= COMMON_TRIGRAM]
    every = _or_match(terms)
    if len(rare) == len(terms):
        return _fts_ids(every, rank=True)
    if rare:
        found = _fts_ids(_or_match(rare), rank=True)
    else:
        # Every trigram is common ("光电科技"): the names holding all of them come first.
        found = _fts_ids("name_normalized : (" + " AND ".join(map(_phrase, terms)) + ")", rank=True)
    if len(found) < FEW_HITS:
        found += _fts_ids(every, rank=True)
    return found


def _or_match(terms: Iterable[str]) -> str:
    return "name_normalized : (" + " OR ".join(map(_phrase, terms)) + ")"


# Trigram → how many names hold it (bounded), per database. Only a hint for leaving common
# trigrams out, so a stale count does no harm; it saves recounting the trade words of every query.
_COUNTS: dict[tuple[str, str], int] = {}
_COUNTS_MAX = 100_000


def _trigram_count(term: str) -> int:
    """How many names hold the trigram, counted up to COMMON_TRIGRAM + 1 only."""
    key = (connection.alias, term)
    if key in _COUNTS:
        return _COUNTS[key]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                "LIMIT %s)",
                [f"name_normalized : {_phrase(term)}", COMMON_TRIGRAM + 1],
            )
        else:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {Company._meta.db_table} "
                "WHERE name_normalized LIKE %s LIMIT %s) AS hits",
                [_like(term), COMMON_TRIGRAM + 1],
            )
        count = cursor.fetchone()[0]
    if count > FEW_HITS:  # a rare term may still grow; only settled counts are kept
        if len(_COUNTS) >= _COUNTS_MAX:
            _COUNTS.clear()
        _COUNTS[key] = count
    return count


def _pg_trigram_counts(terms: list[str]) -> dict[str, int]:
    """_trigram_count of every term, the ones not remembered counted in one query (PostgreSQL)."""
    counts = {t: _COUNTS[(connection.alias, t)] for t in terms if (connection.alias, t) in _COUNTS}
    missing = [t for t in terms if t not in counts]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT u.term, (SELECT count(*) FROM (SELECT 1 FROM "
                f"{Company._meta.db_table} WHERE name_normalized LIKE u.pattern LIMIT %s) AS hits) "
                "FROM unnest(%s::text[], %s::text[]) AS u(term, pattern)",
                [COMMON_TRIGRAM + 1, missing, [_like(t) for t in missing]],
            )
            found = dict(cursor.fetchall())
        for term in missing:
            counts[term] = found[term]
            if found[term] > FEW_HITS:  # as _trigram_count: only settled counts are kept
                if len(_COUNTS) >= _COUNTS_MAX:
                    _COUNTS.clear()
                _COUNTS[(connection.alias, term)] = found[term]
    return counts


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fts_ids(match: str, *, rank: bool) -> list[int]:
    order = " ORDER BY rank" if rank else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s{order} LIMIT %s",
            [match, NARROW_LIMIT],
        )
        return [row[0] for row in cursor.fetchall()]


def _pg_trigram_ids(normalized: str) -> set[int]:
    """pg_trgm: the names sharing the query's distinctive trigrams, most similar first.

    As on SQLite, a trigram held by more than COMMON_TRIGRAM names is left out when rarer ones
    exist: ``name_normalized % query`` would otherwise recheck and sort every 光电科技 of the
    city (a tenth of a second at a million names). The rare ones are asked with LIKE '%…%'
    (served by the same GIN index) and ordered by ``similarity()``. When every trigram is
    common ("智能装备"), the names holding the whole query are taken as they come. Only when
    no trigram is common (a small registry) and they find almost nothing is ``%`` asked, with
    the threshold lowered. A typo in the brand is left to the exact, part and prefix lookups
    of :func:`_narrow`, which run in any case.
    """
    table = Company._meta.db_table
    terms = list(_trigrams(normalized))
    counts = _pg_trigram_counts(terms)
    rare = [t for t in terms if counts[t] <= COMMON_TRIGRAM]
    with connection.cursor() as cursor:
        if not rare:
            cursor.execute(
                f"SELECT id FROM {table} WHERE name_normalized LIKE %s LIMIT %s",
                [_like(normalized), NARROW_LIMIT],
            )
            return {row[0] for row in cursor.fetchall()}
        likes = " OR ".join(["name_normalized LIKE %s"] * len(rare))
        cursor.execute(
            f"SELECT id FROM {table} WHERE {likes} "
            "ORDER BY similarity(name_normalized, %s) DESC, id LIMIT %s",
            [*map(_like, rare), normalized, NARROW_LIMIT],
        )
        found = {row[0] for row in cursor.fetchall()}
    if len(found) >= FEW_HITS or len(rare) < len(terms):
        return found
    with transaction.atomic(), connection.cursor() as cursor:
        # Only on a small registry (no common trigram at all), so the lowered threshold costs
        # little; is_local=true: it ends with this transaction.
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
            [str(PG_SIMILARITY_THRESHOLD)],
        )
        cursor.execute(
            f"SELECT id FROM {table} WHERE name_normalized %% %s "
            "ORDER BY similarity(name_normalized, %s) DESC, id LIMIT %s",
            [normalized, normalized, NARROW_LIMIT],
        )
        return found | {row[0] for row in cursor.fetchall()}


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

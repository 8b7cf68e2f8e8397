"""Candidate search (候选企业): which registered companies a name or a credit code may mean.

:func:`search_candidates` answers in three steps (:func:`search_candidates_many` does the same for
many texts at once, with the same results):

1. **Credit code.** A text that is, or looks like, a 统一社会信用代码 (18 characters of the code
   alphabet, digits in positions 3–8) is looked up exactly and nothing else: score 100, reason
   "同一信用代码".
2. **Narrowing in the database** to at most :data:`NARROW_LIMIT` companies per lookup, from the
   normalized name (:func:`yinli.core.names.normalize_company_name`) and, for a Latin query, the
   pinyin initials:

   * always the companies whose normalized name equals the query's (B-tree index), so an exact
     variant can never be crowded out;
   * the names that are a part of the query ("光电科技" inside "恒远光电科技", B-tree again: the
     scorer rates them 90 whatever trigrams they share) and those that begin with its first two
     characters (the brand, so that a typo further on stays within reach);
   * PostgreSQL: ``pg_trgm``. A GIN ``gin_trgm_ops`` index on ``name_normalized`` (migration
     0003) answers ``name_normalized LIKE ANY('{%…%, …}')`` for the query's distinctive
     trigrams (see below), ordered by ``similarity()``. Every lookup of a text is one branch of
     a single statement, which returns the rows themselves (one round trip per search, or per
     chunk of :data:`PG_BATCH` texts for :func:`search_candidates_many`; see
     :func:`_pg_lookup_rows`). Only when all of that finds almost nothing (a typo in a short
     name) is ``name_normalized % query`` asked as well, with ``pg_trgm.similarity_threshold``
     lowered to :data:`PG_SIMILARITY_THRESHOLD` for that transaction only;
   * SQLite: an FTS5 table ``companies_company_search`` (``tokenize='trigram'``) over the
     normalized name and the initials, kept in step by triggers (migration 0003, re-created by
     :mod:`yinli.companies.signals` when a table rebuild dropped them). The query's trigrams are
     OR-ed, so a partial overlap still finds a name ("恒远光电" finds "恒远光电科技"), and bm25
     orders them: rows sharing more, and rarer, trigrams come first;
   * on both engines a trigram held by more than :data:`COMMON_TRIGRAM` names ("光电科" of every
     光电科技) is left out of the ranked query when rarer ones exist: ranking tens of thousands
     of rows is what would cost, and they say little about which firm is meant. SQLite counts
     each trigram (up to that bound, remembered per process); PostgreSQL, where such a count
     reads the table rows, estimates them all at once from a sample of
     :data:`PG_TRIGRAM_SAMPLE_PAGES` table pages drawn once per
     :data:`PG_TRIGRAM_SAMPLE_SECONDS` (the whole table when it is that small, so that a small
     registry is counted exactly);
   * a query of one or two characters has no trigram (FTS5 then finds nothing and pg_trgm next to
     nothing), so on both engines it is matched as a prefix through the B-tree index (a range,
     which works whatever the collation's LIKE support) and then as a substring; a longer query
     also gets the names that begin with its first two characters (the brand: "恒远光电" shares
     no trigram with "恒远电子", yet the user wants to see it);
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

import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

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
    "search_candidates_many",
]

#: How many companies the database hands to the Python re-ranking at most (per narrowing step).
NARROW_LIMIT = 300
#: pg_trgm similarity below which PostgreSQL does not offer a name (default of pg_trgm: 0.3).
PG_SIMILARITY_THRESHOLD = 0.2
#: A trigram in more names than this is too common to rank by (see _sqlite_trigram_ids).
COMMON_TRIGRAM = 2000
#: When the lookups find fewer names than this, a wider (slower) one is asked too.
FEW_HITS = 5
#: PostgreSQL: how many table pages the sample for the common trigrams reads (8 kB each; about
#: 20,000 names of the bench's rows; see _pg_common_trigrams).
PG_TRIGRAM_SAMPLE_PAGES = 400
#: PostgreSQL: how long (seconds) a process uses one sample of the common trigrams.
PG_TRIGRAM_SAMPLE_SECONDS = 600.0
#: PostgreSQL: how many texts search_candidates_many looks up in one statement.
PG_BATCH = 200
#: The FTS5 table of the SQLite engine (created by migration 0003).
FTS_TABLE = "companies_company_search"

_CODE_CHARS = frozenset(ALPHABET)
_LATIN_QUERY = re.compile(r"[a-z0-9]+")
_COLUMNS = "id, name, name_normalized, name_initials, deleted_at, merged_into_id"


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
    return search_candidates_many([text_or_code], limit=limit, exclude_merged=exclude_merged)[0]


def search_candidates_many(
    texts: Iterable[str], *, limit: int = 10, exclude_merged: bool = True
) -> list[list[Candidate]]:
    """:func:`search_candidates` of every text, in order (a bulk check: an import, a list).

    The results are the same as one search per text; PostgreSQL looks the names up
    :data:`PG_BATCH` at a time, in one statement each, and the credit codes all at once.
    """
    texts = [" ".join(str(text or "").split()) for text in texts]
    results: list[list[Candidate]] = [[] for _text in texts]
    if limit < 1:
        return results
    codes: dict[int, str] = {}
    names: dict[int, tuple[str, str | None]] = {}
    for i, text in enumerate(texts):
        if not text:
            continue
        code = looks_like_uscc(text)
        if code is not None:
            codes[i] = code
        else:
            names[i] = (normalize_company_name(text), _latin_query(text))
    if codes:
        found = _by_code(set(codes.values()), exclude_merged=exclude_merged)
        for i, code in codes.items():
            if code in found:
                pk, name = found[code]
                results[i] = [Candidate(pk, name, 100, _("Same credit code"), MatchKind.CODE)]
    if connection.vendor == "postgresql":
        rows = _pg_rows(names)
    else:
        rows = {i: _fetch(_narrow(*keys)) for i, keys in names.items()}
    for i, (normalized, initials) in names.items():
        results[i] = _rank(normalized, initials, rows[i], limit, exclude_merged=exclude_merged)
    return results


def _by_code(codes: set[str], *, exclude_merged: bool) -> dict[str, tuple[int, str]]:
    companies = Company.objects.order_by()
    if exclude_merged:
        companies = companies.filter(merged_into__isnull=True)
    return {
        code: (pk, name)
        for pk, name, code in companies.filter(uscc__in=codes).values_list("pk", "name", "uscc")
    }


def _latin_query(text: str) -> str | None:
    """The text as pinyin initials to look up, if it is Latin letters (and digits) only."""
    compact = unicodedata.normalize("NFKC", text).replace(" ", "").lower()
    if len(compact) >= 2 and _LATIN_QUERY.fullmatch(compact) and not compact.isdigit():
        return compact
    return None


def _rank(
    normalized: str,
    initials: str | None,
    rows: Iterable[tuple],
    limit: int,
    *,
    exclude_merged: bool,
) -> list[Candidate]:
    """The rows found for a text, scored, filtered and sorted: the best ``limit`` candidates.

    The scorer runs over all rows in one call (rapidfuzz's loop, not Python's); the plain
    ratio that breaks ties is computed for the rows that can still make the list only.
    """
    live = [
        row
        for row in rows
        if row[4] is None and not (exclude_merged and row[5] is not None)  # deleted, merged
    ]
    scores = [0] * len(live)
    for _name, score, index in process.extract(
        normalized, [row[2] for row in live], scorer=fuzz.WRatio, limit=None
    ):
        scores[index] = round(score)
    kinds = [MatchKind.NAME] * len(live)
    if initials:
        for index, row in enumerate(live):
            if initials in row[3]:
                initials_score = score_names(initials, row[3])
                if initials_score > scores[index]:
                    scores[index], kinds[index] = initials_score, MatchKind.INITIALS
    ranked = sorted((i for i, score in enumerate(scores) if score > 0), key=scores.__getitem__)
    ranked.reverse()
    if not ranked:
        return []
    cutoff = scores[ranked[min(limit, len(ranked)) - 1]]
    top = [i for i in ranked if scores[i] >= cutoff]

    def tie(i: int) -> int:
        if kinds[i] == MatchKind.INITIALS:
            return round(fuzz.ratio(initials, live[i][3]))
        return round(fuzz.ratio(normalized, live[i][2]))

    top.sort(key=lambda i: (-scores[i], -tie(i), live[i][0]))
    return [
        Candidate(
            live[i][0], live[i][1], scores[i], _reason(kinds[i], scores[i], initials), kinds[i]
        )
        for i in top[:limit]
    ]


def _fetch(ids: set[int]) -> list[tuple]:
    if not ids:
        return []
    # Plain SQL: the ORM spends longer preparing 300 ids for "IN" than the database answering.
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM {Company._meta.db_table} WHERE id IN ({marks})", list(ids)
        )
        return cursor.fetchall()


def _reason(kind: str, score: int, initials: str | None) -> str:
    if kind == MatchKind.INITIALS:
        return _("Pinyin initials %(initials)s") % {"initials": initials}
    return _("Name %(score)s%% similar") % {"score": score}


# --- narrowing in the database: SQLite (and any other engine) -----------------------------------


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


def _prefix_bounds(prefix: str) -> tuple[str, str]:
    """The range of the strings that begin with ``prefix``: [prefix, prefix with its last
    character raised by one)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _prefix_range(field: str, prefix: str) -> dict[str, str]:
    """A prefix as a range on the B-tree index (LIKE 'x%' does not use it under every collation)."""
    low, high = _prefix_bounds(prefix)
    return {f"{field}__gte": low, f"{field}__lt": high}


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
            ids |= _ids(_rows().filter(name_initials__contains=initials))
    return ids


def _trigram_ids(normalized: str) -> set[int]:
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
    """How many names hold the trigram, counted up to COMMON_TRIGRAM + 1 only (SQLite)."""
    key = (connection.alias, term)
    if key in _COUNTS:
        return _COUNTS[key]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s)",
            [f"name_normalized : {_phrase(term)}", COMMON_TRIGRAM + 1],
        )
        count = cursor.fetchone()[0]
    if count > FEW_HITS:  # a rare term may still grow; only settled counts are kept
        if len(_COUNTS) >= _COUNTS_MAX:
            _COUNTS.clear()
        _COUNTS[key] = count
    return count


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


# --- narrowing in the database: PostgreSQL ------------------------------------------------------

# One text's lookups, each a branch of the LATERAL subquery of _PG_LOOKUP (a branch whose key is
# null is skipped by a one-time filter). Every branch returns the rows themselves.
_PG_LOOKUP_FIELDS = (
    "i int, key text, parts text[], rare text[], whole text, lo text, hi text, "
    "sub text, ilo text, ihi text, isub text"
)
_PG_BRANCHES = (
    # The name itself and its parts (B-tree).
    "name_normalized = ANY(q.parts)",
    # The names holding one of its rare trigrams (GIN), the most similar first.
    "q.rare IS NOT NULL AND name_normalized LIKE ANY(q.rare) "
    "ORDER BY similarity(name_normalized, q.key) DESC, id",
    # Every trigram common: the names holding the whole text (GIN).
    "q.whole IS NOT NULL AND name_normalized LIKE q.whole",
    # The names that begin with its first two characters, or with a short text (B-tree range).
    "name_normalized >= q.lo AND name_normalized < q.hi ORDER BY name_normalized",
    # A short text anywhere in the name.
    "q.sub IS NOT NULL AND name_normalized LIKE q.sub",
    # Pinyin initials: as a prefix (B-tree range), then anywhere (GIN).
    "name_initials >= q.ilo AND name_initials < q.ihi ORDER BY name_initials",
    "q.isub IS NOT NULL AND name_initials LIKE q.isub",
)


def _pg_lookup_sql() -> str:
    table = Company._meta.db_table
    branches = " UNION ALL ".join(
        f"(SELECT {_COLUMNS} FROM {table} WHERE {branch} LIMIT %(limit)s)"
        for branch in _PG_BRANCHES
    )
    return (
        f"SELECT q.i, c.* FROM jsonb_to_recordset(%(lookups)s::jsonb) AS q({_PG_LOOKUP_FIELDS}) "
        f"CROSS JOIN LATERAL ({branches}) AS c"
    )


def _pg_lookup(i: int, normalized: str, initials: str | None, common: frozenset[str]) -> dict:
    """The keys of one text's lookups in the database (a row of jsonb_to_recordset)."""
    lookup: dict[str, object] = {"i": i, "key": normalized, "parts": _parts(normalized)}
    if len(normalized) >= 3:
        rare = [_like(t) for t in _trigrams(normalized) if t not in common]
        if rare:
            lookup["rare"] = rare
        else:
            lookup["whole"] = _like(normalized)
        lookup["lo"], lookup["hi"] = _prefix_bounds(normalized[:2])
    elif normalized:
        lookup["lo"], lookup["hi"] = _prefix_bounds(normalized)
        lookup["sub"] = _like(normalized)
    if initials:
        lookup["ilo"], lookup["ihi"] = _prefix_bounds(initials)
        if len(initials) >= 3:
            lookup["isub"] = _like(initials)
    return lookup


def _pg_rows(names: dict[int, tuple[str, str | None]]) -> dict[int, list[tuple]]:
    """The rows the lookups of each text find (PostgreSQL), :data:`PG_BATCH` texts a statement.

    A text whose lookups find fewer than :data:`FEW_HITS` names (a typo in a short name, a small
    registry) also gets the names pg_trgm finds similar (``%``), in a statement of its own.
    """
    found: dict[int, dict[int, tuple]] = {i: {} for i in names}
    if not names:
        return {}
    common = _pg_common_trigrams()
    lookups = [_pg_lookup(i, *keys, common) for i, keys in names.items()]
    sql = _pg_lookup_sql()
    with connection.cursor() as cursor:
        for start in range(0, len(lookups), PG_BATCH):
            chunk = lookups[start : start + PG_BATCH]
            cursor.execute(
                sql,
                {"lookups": json.dumps(chunk, ensure_ascii=False), "limit": NARROW_LIMIT},
            )
            for i, *row in cursor.fetchall():
                found[i].setdefault(row[0], tuple(row))
    for i, (normalized, _initials) in names.items():
        if len(found[i]) < FEW_HITS and len(normalized) >= 3:
            for row in _pg_similar_rows(normalized):
                found[i].setdefault(row[0], row)
    return {i: list(rows.values()) for i, rows in found.items()}


def _pg_similar_rows(normalized: str) -> list[tuple]:
    """The names pg_trgm finds similar (``%``, threshold lowered), most similar first."""
    with transaction.atomic(), connection.cursor() as cursor:
        # is_local=true: the lowered threshold ends with this transaction.
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
            [str(PG_SIMILARITY_THRESHOLD)],
        )
        cursor.execute(
            f"SELECT {_COLUMNS} FROM {Company._meta.db_table} WHERE name_normalized %% %s "
            "ORDER BY similarity(name_normalized, %s) DESC, id LIMIT %s",
            [normalized, normalized, NARROW_LIMIT],
        )
        return cursor.fetchall()


# Database alias → (until when, the trigrams held by more than COMMON_TRIGRAM names).
_COMMON: dict[str, tuple[float, frozenset[str]]] = {}


def _pg_common_trigrams() -> frozenset[str]:
    """The trigrams more than :data:`COMMON_TRIGRAM` names hold (PostgreSQL), estimated.

    Counting one trigram reads the rows that hold it (a GIN index gives no counts): "光电科" of
    every 光电科技 in a million names costs tens of milliseconds, each time a process meets a
    trade word first. Instead a process counts the trigrams of the names on a sample of
    :data:`PG_TRIGRAM_SAMPLE_PAGES` table pages (TABLESAMPLE SYSTEM) and keeps the result for
    :data:`PG_TRIGRAM_SAMPLE_SECONDS`; the bound scales with the share of pages read. A table
    of no more pages is read whole, so a small registry is counted exactly. The share comes
    from the table's size on disk, not from the planner's row estimate, which may be stale
    (before the first ANALYZE, or while a bulk load is not committed). The result only decides
    which trigrams are worth ranking by: an estimate near the bound changes what is narrowed
    to, not what is correct.
    """
    now = time.monotonic()
    cached = _COMMON.get(connection.alias)
    if cached is not None and cached[0] > now:
        return cached[1]
    table = Company._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::bigint",
            [table],
        )
        pages = cursor.fetchone()[0]
        share = min(1.0, PG_TRIGRAM_SAMPLE_PAGES / pages) if pages else 1.0
        if share >= 1.0:
            cursor.execute(f"SELECT name_normalized FROM {table}")
        else:
            cursor.execute(
                f"SELECT name_normalized FROM {table} TABLESAMPLE SYSTEM (%s) REPEATABLE (0)",
                [100.0 * share],
            )
        counts: Counter[str] = Counter()
        for (name,) in cursor.fetchall():
            counts.update(_trigrams(name))
    bound = COMMON_TRIGRAM * share
    common = frozenset(t for t, n in counts.items() if n > bound)
    _COMMON[connection.alias] = (now + PG_TRIGRAM_SAMPLE_SECONDS, common)
    return common


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
#: The GIN indexes' pending list, in kB (PostgreSQL's default: 4096). New rows wait in that
#: unsorted list until it is full or a VACUUM sorts them in, and every index scan reads all of
#: it: a full 4 MB list costs each LIKE of a search several milliseconds (a search asks a few),
#: and after a bulk import it can stay full for long (an insert-only table is vacuumed after a
#: fifth of its size is added). 256 kB keeps that read small; inserts merge it more often (about
#: a fifth slower for the GIN index alone).
PG_GIN_PENDING_LIST_KB = 256


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
                    f"USING gin ({column} gin_trgm_ops) "
                    f"WITH (gin_pending_list_limit = {PG_GIN_PENDING_LIST_KB})"
                )


def limit_pending_lists(conn) -> None:
    """Give the GIN indexes of an existing PostgreSQL database the smaller pending list."""
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for index in _PG_INDEXES:
            cursor.execute(
                f"ALTER INDEX IF EXISTS {index} "
                f"SET (gin_pending_list_limit = {PG_GIN_PENDING_LIST_KB})"
            )


def reset_pending_lists(conn) -> None:
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for index in _PG_INDEXES:
            cursor.execute(f"ALTER INDEX IF EXISTS {index} RESET (gin_pending_list_limit)")


def drop_search_index(conn) -> None:
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for trigger in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif conn.vendor == "postgresql":
            for index in _PG_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {index}")


@contextmanager
def sqlite_bulk_insert(conn) -> Iterator[Callable[[int, int], None]]:
    """On SQLite, inside a transaction: companies inserted in bulk without the insert trigger,
    their FTS rows added by the function this yields — ``index_rows(first_id, last_id)``, one
    INSERT … SELECT for the rows of those keys — and the trigger created again (in the same
    transaction, so no other connection sees it missing). The trigger fired row by row costs
    about three times as much as the table's own insert (bench/test_chains.py)."""
    trigger = f"{FTS_TABLE}_insert"

    def index_rows(first: int, last: int) -> None:
        with conn.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, name_normalized, name_initials) "
                f"SELECT id, name_normalized, name_initials FROM {_TABLE} "
                "WHERE id BETWEEN %s AND %s",
                [first, last],
            )

    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [trigger]
        )
        present = cursor.fetchone() is not None
        if present:
            cursor.execute(f"DROP TRIGGER {trigger}")
    try:
        yield index_rows if present else (lambda first, last: None)
    finally:
        if present:
            with conn.cursor() as cursor:
                cursor.execute(_SQLITE_TRIGGERS[trigger])


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

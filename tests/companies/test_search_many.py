"""Candidate search in bulk and the parts that make it fast: each must answer as the plain way."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone
from rapidfuzz import fuzz

from tests import factories
from yinli.companies import search
from yinli.companies.models import Company
from yinli.companies.search import (
    MatchKind,
    score_names,
    search_candidates,
    search_candidates_many,
)
from yinli.companies.uscc import generate_uscc
from yinli.core.names import normalize_company_name, pinyin_initials

pytestmark = pytest.mark.django_db

only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL narrowing"
)

# Few brand characters, so that names share their trigrams and every lookup has more hits than
# the (lowered) limits below: the truncation and the choice of trigrams are exercised too.
_BRANDS = "恒远华裕天合博思润扬金山"
_TRADES = ["光电科技", "新材料", "电子", "生物医药", "智能装备", "精密机械", "储能科技"]
_PREFIXES = ["", "", "江苏", "镇江市", "常州"]
_FORMS = ["有限公司", "股份有限公司", "(常州)有限公司"]


@pytest.fixture
def fresh_caches():
    """The per-process hints of the narrowing (trigram counts, common trigrams), emptied."""
    search._COMMON.clear()
    search._COUNTS.clear()
    yield
    search._COMMON.clear()
    search._COUNTS.clear()


def _registry(n: int, rng: random.Random) -> list[Company]:
    companies = []
    for _ in range(n):
        brand = "".join(rng.choice(_BRANDS) for _ in range(rng.choice((2, 2, 3))))
        name = rng.choice(_PREFIXES) + brand + rng.choice(_TRADES) + rng.choice(_FORMS)
        companies.append(
            Company(
                name=name,
                name_normalized=normalize_company_name(name),
                name_initials=pinyin_initials(name),
            )
        )
    return Company.objects.bulk_create(companies, batch_size=500)


def _queries(companies: list[Company], rng: random.Random) -> list:
    queries: list = ["", "   ", None, "恒", "远华", "hy", "HYGD", "hyhs", "zzz", "瑞士罗氏制药"]
    for company in rng.sample(companies, 60):
        key = company.name_normalized
        queries += [
            company.name,
            "江苏" + company.name + "  ",
            key[: max(3, len(key) - 2)],  # the short form
            key[:1] + rng.choice(_BRANDS) + key[2:],  # a typo in the brand
            key[:-1] + "装",  # a typo further on
        ]
    coded = [c for c in companies if c.uscc]
    queries += [coded[0].uscc, coded[1].uscc.lower(), generate_uscc(random.Random(99))]
    return queries


@pytest.fixture
def registry(fresh_caches):
    rng = random.Random(20250810)
    companies = _registry(900, rng)
    for i, company in enumerate(companies[:4]):
        company.uscc = generate_uscc(random.Random(i))
        company.save()
    merged = companies[10]
    Company.all_objects.filter(pk=merged.pk).update(merged_into=companies[11])
    Company.all_objects.filter(pk=companies[12].pk).update(deleted_at=timezone.now())
    Company.all_objects.filter(pk=companies[2].pk).update(merged_into=companies[13])  # has a code
    return companies


@pytest.mark.parametrize("exclude_merged", [True, False])
def test_many_texts_are_answered_as_one_search_each(registry, monkeypatch, exclude_merged):
    # Small limits: the lookups truncate, trigrams count as common, the texts go in chunks.
    monkeypatch.setattr(search, "NARROW_LIMIT", 12)
    monkeypatch.setattr(search, "COMMON_TRIGRAM", 40)
    monkeypatch.setattr(search, "PG_BATCH", 7)
    queries = _queries(registry, random.Random(5))

    together = search_candidates_many(queries, limit=5, exclude_merged=exclude_merged)
    one_by_one = [search_candidates(q, limit=5, exclude_merged=exclude_merged) for q in queries]

    assert together == one_by_one
    assert len(together) == len(queries)
    assert sum(1 for found in together if found) > len(queries) * 0.8
    assert any(c.match == MatchKind.CODE for found in together for c in found)
    assert any(c.match == MatchKind.INITIALS for found in together for c in found)


def test_many_keeps_the_order_and_the_empty_answers(registry):
    name = registry[20].name
    found = search_candidates_many(["", name, "zzzzqqq", name])
    assert found[0] == [] and found[2] == []
    assert found[1] == found[3] == search_candidates(name)
    assert found[1][0].company_id == registry[20].pk or found[1][0].score == 100


def test_many_of_nothing_is_nothing(fresh_caches):
    assert search_candidates_many([]) == []
    assert search_candidates_many(["恒远光电"], limit=0) == [[]]


def test_a_text_whose_trigrams_are_all_common_finds_the_names_holding_it(fresh_caches, monkeypatch):
    for i in range(12):
        factories.company(f"{_BRANDS[i % len(_BRANDS)]}{i}光电科技有限公司")
    target = factories.company("光电科技有限公司")
    monkeypatch.setattr(search, "COMMON_TRIGRAM", 3)
    found = search_candidates("光电科技", limit=20)
    assert found[0].company_id == target.pk
    assert len(found) == 13


# --- the re-ranking -------------------------------------------------------------------------------


def _rank_one_by_one(normalized, initials, rows, limit, *, exclude_merged):
    """The ranking written plainly: every row scored by itself, then sorted."""
    scored = []
    for pk, name, name_normalized, name_initials, deleted_at, merged_into in rows:
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
    return [(pk, name, score, kind) for score, _tie, pk, name, kind in scored[:limit]]


def test_the_ranking_agrees_with_scoring_each_row_by_itself():
    rng = random.Random(7)
    deleted = timezone.make_aware(datetime(2025, 1, 1))
    for _round in range(200):
        rows = []
        for pk in rng.sample(range(1, 10_000), rng.randrange(0, 60)):
            brand = "".join(rng.choice(_BRANDS) for _ in range(rng.choice((2, 3))))
            key = brand + rng.choice(_TRADES)
            rows.append(
                (
                    pk,
                    f"{key}有限公司",
                    key,
                    pinyin_initials(key),
                    deleted if rng.random() < 0.1 else None,
                    rng.randrange(1, 100) if rng.random() < 0.1 else None,
                )
            )
        query = rng.choice(
            [
                "".join(rng.choice(_BRANDS) for _ in range(2)) + rng.choice(_TRADES),
                "".join(rng.choice(_BRANDS) for _ in range(2)),
                rng.choice(_TRADES),
            ]
        )
        initials = pinyin_initials(query)[: rng.choice((2, 3, 4))] if rng.random() < 0.3 else None
        if initials:
            query = initials
        limit = rng.choice((1, 3, 10, 50))
        exclude_merged = rng.random() < 0.5
        got = search._rank(query, initials, rows, limit, exclude_merged=exclude_merged)
        assert [(c.company_id, c.name, c.score, c.match) for c in got] == _rank_one_by_one(
            query, initials, rows, limit, exclude_merged=exclude_merged
        )


# --- PostgreSQL: common trigrams, the similarity fallback, the index ------------------------------


@only_postgresql
def test_common_trigrams_are_counted_exactly_on_a_small_registry(fresh_caches, monkeypatch):
    monkeypatch.setattr(search, "COMMON_TRIGRAM", 10)
    with connection.cursor() as cursor:
        # A stale planner estimate (an empty table) must not hide the names added since.
        cursor.execute("ANALYZE companies_company")
    for i in range(15):
        factories.company(f"{_BRANDS[i % len(_BRANDS)]}{i}光电科技有限公司")
    for i in range(3):
        factories.company(f"恒远光学{i}有限公司")
    common = search._pg_common_trigrams()
    assert {"光电科", "电科技"} <= common
    assert "恒远光" not in common


@only_postgresql
def test_common_trigrams_are_estimated_from_a_sample_of_a_large_registry(fresh_caches, monkeypatch):
    monkeypatch.setattr(search, "COMMON_TRIGRAM", 100)
    names = [f"{i}光电科技" if i % 2 else f"{i}生物医药" for i in range(3000)]
    Company.objects.bulk_create(
        [Company(name=n, name_normalized=n, name_initials="") for n in names], batch_size=1000
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size('companies_company') / current_setting('block_size')::int"
        )
        pages = cursor.fetchone()[0]
    assert pages >= 8
    monkeypatch.setattr(search, "PG_TRIGRAM_SAMPLE_PAGES", pages // 2)  # half the table
    common = search._pg_common_trigrams()
    assert {"光电科", "生物医"} <= common  # 1,500 names each
    assert "999" not in common  # "999" is in 1 name of 3,000 (plus "1999", "2999" …: < 100)


@only_postgresql
def test_common_trigrams_are_kept_for_a_while(fresh_caches, monkeypatch):
    monkeypatch.setattr(search, "COMMON_TRIGRAM", 2)
    for i in range(4):
        factories.company(f"恒远{i}光电科技有限公司")
    first = search._pg_common_trigrams()
    for i in range(4):
        factories.company(f"华裕{i}生物医药有限公司")
    assert search._pg_common_trigrams() is first
    monkeypatch.setattr(search, "PG_TRIGRAM_SAMPLE_SECONDS", 0)
    search._COMMON.clear()
    assert "生物医" in search._pg_common_trigrams()


@only_postgresql
def test_a_typo_in_a_short_name_is_found_by_similarity(fresh_caches):
    # No part, prefix or trigram of "恒近光电" is in "恒远光电": only pg_trgm's % finds it.
    company = factories.company("恒远光电有限公司")
    factories.company("华裕生物医药有限公司")
    assert company.pk in {c.company_id for c in search_candidates("恒近光电")}


@only_postgresql
def test_the_trigram_indexes_keep_a_small_pending_list():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [list(search._PG_INDEXES)],
        )
        options = dict(cursor.fetchall())
    assert options == {
        index: [f"gin_pending_list_limit={search.PG_GIN_PENDING_LIST_KB}"]
        for index in search._PG_INDEXES
    }

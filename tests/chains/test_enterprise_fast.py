"""The fast paths of the enterprise base (yinli.chains.enterprise) agree with the plain ones:
classification in worker processes, the ranking basis written with each new placement, and on
PostgreSQL the trigram indexes rebuilt around a large import — on generated companies (the
demo's invented enterprise base) and the real reader."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from django.db import connection, transaction

from tests import factories
from yinli.chains import enterprise
from yinli.chains.enterprise import classify_imported, import_enterprises
from yinli.chains.models import CompanyNode, Decision
from yinli.chains.targets import rank_targets, refresh_basis
from yinli.companies.models import Company
from yinli.demo.enterprises import HEADER, enterprise_rows

pytestmark = pytest.mark.django_db

PLACEMENT = ("company_id", "node_id", "score", "matched", "source", "decision")
BASIS = (
    "basis_ready",
    "basis_open",
    "basis_region",
    "basis_lat",
    "basis_lng",
    "basis_capital",
    "basis_staff",
    "basis_founded",
)


@pytest.fixture
def city(db):
    return factories.build_city()


def generated(tmp_path, rows: int, seed: int = 5, bad_row: int | None = None):
    path = tmp_path / f"enterprises-{rows}-{seed}.csv"
    lines = [list(row) for row in enterprise_rows(rows, seed=seed)]
    if bad_row is not None:
        lines[bad_row][HEADER.index("注册资本")] = "很多钱"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(lines)
    return path


def placements() -> list[tuple]:
    return sorted(CompanyNode.objects.values_list(*PLACEMENT))


def test_workers_classify_as_this_process_does(city, tmp_path):
    result = import_enterprises(path=generated(tmp_path, 1200), user=city.analyst)
    assert result.committed and result.counts["created"] == 1200
    ids = list(result.company_ids)
    serial = classify_imported(company_ids=ids, chunk_size=250, parallel=False)
    alone = placements()
    CompanyNode.objects.all().delete()
    parallel = classify_imported(company_ids=ids, chunk_size=250, parallel=True)
    assert placements() == alone
    for key in ("companies", "placed_companies", "placements"):
        assert parallel[key] == serial[key]
    assert serial["placements"] > 500 and serial["companies"] == 1200


def test_a_large_classification_with_the_indexes_set_aside_places_the_same(
    city, tmp_path, monkeypatch
):
    """From bulkload.BULK_FROM companies (lowered here) and a fifth of the placement table, the
    chunks run in one transaction with the table's indexes set aside: the same placements,
    the same basis, the same words (written as JSON by the workers), the indexes back after."""
    from yinli.core import bulkload

    result = import_enterprises(path=generated(tmp_path, 900, seed=11), user=city.analyst)
    ids = list(result.company_ids)
    company = Company.objects.get(pk=ids[3])
    # A reviewed placement, refreshed rather than replaced by both runs.
    classify_imported(company_ids=ids[:10], parallel=False)
    reviewed = CompanyNode.objects.filter(company=company).first()
    assert reviewed is not None
    CompanyNode.objects.filter(pk=reviewed.pk).update(
        decision=Decision.CONFIRMED, score=Decimal("0.01")
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE chains_companynode")  # the size the decision reads
    indexes = {i.name for i in bulkload.secondary_indexes(CompanyNode._meta.db_table)}
    outcomes = []
    seen = []
    real = bulkload.drop

    def drop(items, **kwargs):
        seen.extend(items)
        return real(items, **kwargs)

    monkeypatch.setattr(bulkload, "drop", drop)
    for bulk_from, parallel in ((10**9, False), (100, True)):
        monkeypatch.setattr(bulkload, "BULK_FROM", bulk_from)
        seen.clear()
        with transaction.atomic():
            counts = classify_imported(company_ids=ids, chunk_size=200, parallel=parallel)
            rows = sorted(CompanyNode.objects.values_list(*PLACEMENT, *BASIS))
            outcomes.append((counts["placements"], rows))
            assert {i.name for i in bulkload.secondary_indexes(CompanyNode._meta.db_table)} == (
                indexes
            )
            transaction.set_rollback(True)
        if bulk_from == 100:
            dropped = {i.name.split(".")[-1].strip('"') for i in seen if i.kind == "index"}
            assert dropped and not any("company_id_" in name for name in dropped)
            keys = [i.definition for i in seen if i.kind == "foreign key"]
            if connection.vendor == "postgresql":
                # Those to companies and nodes; the one to the user table stays.
                assert len(keys) == 2 and not any("core_user" in key for key in keys)
        else:
            assert seen == []
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] > 400
    confirmed = [row for row in outcomes[1][1] if row[5] == Decision.CONFIRMED]
    assert len(confirmed) == 1 and confirmed[0][2] != Decimal("0.01")  # its score refreshed
    assert all(isinstance(row[3], list) for row in outcomes[1][1])


def test_a_large_classification_goes_to_the_workers(city, tmp_path, monkeypatch):
    result = import_enterprises(path=generated(tmp_path, 300), user=city.analyst)
    calls = []
    monkeypatch.setattr(enterprise, "CLASSIFY_PARALLEL_FROM", 100)
    real = enterprise.multiprocessing.get_context

    def counting(method):
        calls.append(method)
        return real(method)

    monkeypatch.setattr(enterprise.multiprocessing, "get_context", counting)
    counts = classify_imported(company_ids=list(result.company_ids))
    assert calls == ["fork"] and counts["companies"] == 300 and counts["placements"] > 100


def test_new_placements_carry_the_basis_refresh_basis_would_give(city, tmp_path):
    result = import_enterprises(path=generated(tmp_path, 800, seed=9), user=city.analyst)
    ids = list(result.company_ids)
    # Some companies of every kind the basis tells apart: deleted, without a region.
    Company.all_objects.filter(pk__in=ids[:5]).update(deleted_at=result.imported_at)
    Company.all_objects.filter(pk__in=ids[5:10]).update(region=None)
    classify_imported(company_ids=ids)
    assert not CompanyNode.objects.filter(basis_ready=False).exists()
    written = sorted(CompanyNode.objects.values_list("pk", *BASIS))
    closed = sum(1 for row in written if not row[2])
    assert 0 < closed < len(written)  # deregistered and deleted companies are not targets
    assert any(row[3] is None for row in written) and any(row[4] for row in written)
    CompanyNode.objects.update(basis_ready=False, basis_open=False, basis_lat=None)
    assert refresh_basis() == len(written)
    refreshed = sorted(CompanyNode.objects.values_list("pk", *BASIS))
    for mine, theirs in zip(written, refreshed, strict=True):
        assert mine[:4] == theirs[:4] and mine[6:] == theirs[6:]
        for one, other in zip(mine[4:6], theirs[4:6], strict=True):
            assert (one is None and other is None) or abs(one - other) < 1e-9


def test_a_ranking_right_after_classification_refreshes_nothing(city, tmp_path, monkeypatch):
    result = import_enterprises(path=generated(tmp_path, 600), user=city.analyst, classify=True)
    assert result.classification["placements"] > 0
    assert not CompanyNode.objects.filter(basis_ready=False).exists()
    node = CompanyNode.objects.values_list("node", flat=True).first()
    from yinli.chains.models import ChainNode

    assert rank_targets(node=ChainNode.objects.get(pk=node), limit=10)


def _trigram_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'companies_company' "
            "AND indexdef LIKE '%%gin_trgm_ops%%'"
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
@pytest.mark.django_db(transaction=True)
def test_a_large_import_rebuilds_the_trigram_indexes(tmp_path, monkeypatch):
    from yinli.companies.search import search_candidates

    city = factories.build_city()
    with connection.cursor() as cursor:
        # The registry's size as the import estimates it (pg_class.reltuples): an earlier
        # test's ANALYZE of a larger table outlives its rollback and would keep the indexes.
        cursor.execute("ANALYZE companies_company")
    before = _trigram_indexes()
    assert before
    monkeypatch.setattr(enterprise, "REBUILD_INDEX_FROM", 100)
    dropped = []
    real = enterprise._suspend_search_index

    def watching(rows):
        suspended = real(rows)
        dropped.append((suspended, _trigram_indexes()))
        return suspended

    monkeypatch.setattr(enterprise, "_suspend_search_index", watching)
    result = import_enterprises(path=generated(tmp_path, 400), user=city.analyst)
    assert result.committed
    assert dropped == [(True, set())]  # gone while loading …
    assert _trigram_indexes() == before  # … and back
    company = Company.objects.order_by("-pk").first()
    found = search_candidates(company.name, limit=5)
    assert company.pk in [c.company_id for c in found]

    # A refused import (a bad row) rolls the drop back with the rows.
    refused = import_enterprises(
        path=generated(tmp_path, 300, seed=11, bad_row=150), user=city.analyst
    )
    assert not refused.committed and refused.counts["error_rows"] == 1
    assert dropped[-1] == (True, set())
    assert _trigram_indexes() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_a_small_import_into_a_large_registry_keeps_the_indexes(city, tmp_path, monkeypatch):
    assert import_enterprises(path=generated(tmp_path, 120), user=city.analyst).committed
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE companies_company")
    monkeypatch.setattr(enterprise, "REBUILD_INDEX_FROM", 100)
    assert enterprise._suspend_search_index(50) is False  # below the threshold
    monkeypatch.setattr(enterprise, "REBUILD_INDEX_FROM", 1)
    # A file of less than a fifth of the registry is inserted with the indexes in place …
    assert enterprise._suspend_search_index(20) is False
    assert _trigram_indexes()
    # … a larger one rebuilds them (the test's transaction rolls the drop back).
    assert enterprise._suspend_search_index(30) is True
    assert not _trigram_indexes()


def _registry() -> list[tuple]:
    return sorted(
        Company.all_objects.values_list(
            "uscc", "name_normalized", "insured_staff", "version", "region_id"
        ),
        key=repr,
    )


def test_the_registry_keys_read_once_match_as_the_look_ups_do(city, tmp_path, monkeypatch):
    """An import that holds the company table reads the registry's codes and code-less names
    once (enterprise._Known) instead of looking each row up: same companies, same changes."""
    from django.db import transaction

    first = generated(tmp_path, 300, seed=3)
    assert import_enterprises(path=first, user=city.analyst).committed
    with first.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    header, rows = lines[0], lines[1:]
    code, staff, name = (header.index(h) for h in ("统一社会信用代码", "参保人数", "企业名称"))
    second = [list(row) for row in rows[:120]]
    for row in second[:80]:
        row[staff] = "4321"  # changed …
    extra = [list(row) for row in enterprise_rows(60, seed=77)]
    for row in extra[:20]:
        # … a company the registry holds without its code, matched by name …
        Company.objects.create(name=row[name], region=None)
    for row in extra[20:30]:
        row[code] = ""  # … and new companies without a code, named twice in the file.
    extra += [list(row) for row in extra[20:25]]
    path = tmp_path / "second.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *second, *extra])

    used = []
    real = enterprise._known_for

    def spying(rows):
        known = real(rows)
        used.append(known is not None)
        return known

    monkeypatch.setattr(enterprise, "_known_for", spying)
    # On PostgreSQL the import holds the table while the trigram indexes are rebuilt.
    monkeypatch.setattr(enterprise, "REBUILD_INDEX_FROM", 1)
    outcomes = []
    # The keys read once; every row looked up; the keys read once by a large file's way
    # (worker processes, and on PostgreSQL the foreign keys checked statement by statement).
    for share, parallel_from in ((1000, 10**9), (-1, 10**9), (1000, 1)):
        monkeypatch.setattr(enterprise, "KNOWN_FROM_SHARE", share)
        monkeypatch.setattr(enterprise, "PARALLEL_FROM", parallel_from)
        with transaction.atomic():
            result = import_enterprises(path=path, user=city.analyst, chunk_size=40)
            assert result.committed
            outcomes.append((result.counts, _registry()))
            transaction.set_rollback(True)
    assert used == [True, False, True]
    assert outcomes[0] == outcomes[1] == outcomes[2]
    counts = outcomes[0][0]
    # The second naming of a new code-less company finds it (and changes nothing).
    assert counts["updated"] == 80 + 20 and counts["unchanged"] == 40 + 5
    assert counts["created"] == 40


@pytest.mark.parametrize("bulk_from", [1, 10_000])
def test_imported_and_later_companies_are_found_by_candidate_search(
    city, tmp_path, monkeypatch, bulk_from
):
    """On SQLite the import fills the FTS table a chunk at a time with its insert trigger
    dropped (from SQLITE_FTS_BULK_FROM new companies a chunk; below, the trigger does it): the
    trigger is back for the companies saved one at a time afterwards."""
    from yinli.companies.search import search_candidates

    monkeypatch.setattr(enterprise, "SQLITE_FTS_BULK_FROM", bulk_from)
    result = import_enterprises(
        path=generated(tmp_path, 200, seed=13), user=city.analyst, chunk_size=60
    )
    for pk in (result.company_ids[0], result.company_ids[-1]):
        company = Company.objects.get(pk=pk)
        assert pk in [c.company_id for c in search_candidates(company.name, limit=5)]
    later = factories.company(name="常州晶澜测试光能科技有限公司")
    assert later.pk in [c.company_id for c in search_candidates(later.name, limit=5)]


def test_the_registry_filter_never_misses_a_key_and_rarely_claims_one():
    """enterprise._Known is a Bloom filter: every key added is held (a miss would create a
    duplicate company), and a key never added is claimed rarely (each claim is a query)."""
    known = enterprise._Known(50_000)
    codes = [f"91{i:016d}" for i in range(50_000)]
    names = [f"恒远{i}科技" for i in range(50_000)]
    for code, name in zip(codes, names, strict=True):
        known.add_key(code, name)
        known.add_key(None, name)
    assert all(known.may_hold_code(code) for code in codes)
    assert all(known.may_hold_name(name) for name in names)
    claimed = sum(known.may_hold_code(f"92{i:016d}") for i in range(100_000))
    claimed += sum(known.may_hold_name(f"晶澜{i}光能") for i in range(100_000))
    # About 3 expected at this filling; one bit a key (once in 64) claimed some 3,000.
    assert claimed < 60


def _varied_rows(count: int) -> list[list]:
    """Generated rows, with the shapes a vendor's file or a workbook gives a column mixed in:
    numbers and dates as values rather than text, blank markers, spaces, units, lower-case
    codes; and in the first 800 rows now and then a cell with a warning or an error, a short
    row or a blank one."""
    import datetime

    rows = [list(row) for row in enterprise_rows(count, seed=11)]
    at = {name: HEADER.index(name) for name in HEADER}
    for i, row in enumerate(rows):
        kind = i % 23
        if i >= 800 and 7 <= kind <= 11:
            continue
        if kind == 1:
            row[at["注册资本"]] = 500.0
            row[at["参保人数"]] = 12
        elif kind == 2:
            row[at["成立日期"]] = datetime.date(2015, 3, 9)
            row[at["注册资本"]] = "1.5亿元"
        elif kind == 3:
            row[at["成立日期"]] = datetime.datetime(2019, 11, 2, 0, 0)
            row[at["参保人数"]] = 7.0
        elif kind == 4:
            row[at["企业地址"]] = "无"
            row[at["法定代表人"]] = "-"
            row[at["登记状态"]] = "  "
        elif kind == 5:
            row[at["企业名称"]] = "  " + row[at["企业名称"]].replace("有限", " 有限 ") + " "
            row[at["统一社会信用代码"]] = row[at["统一社会信用代码"]].lower()
        elif kind == 6:
            row[at["经营范围"]] = "无"
            row[at["国标行业"]] = ""
        elif kind == 7 and i % 3 == 0:
            row[at["国标行业"]] = "宇宙飞船修理业"  # a warning
        elif kind == 8 and i % 5 == 0:
            row[at["成立日期"]] = "去年春天"  # an error
        elif kind == 9 and i % 7 == 0:
            row[at["企业名称"]] = ""  # an error
        elif kind == 10 and i % 11 == 0:
            del row[at["企业地址"] :]  # a short row
        elif kind == 11 and i % 13 == 0:
            row[:] = [None] * len(row)  # a blank row
        elif kind == 12:
            row[at["所属区县"]] = ""
            row[at["所属城市"]] = ""
        elif kind == 13:
            row[at["统一社会信用代码"]] = None
            row[at["企业类型"]] = None
    return rows


def test_a_block_converted_a_column_at_a_time_gives_what_a_row_at_a_time_gives(city):
    """The column-wise conversion of a clean block (_clean_rows) makes exactly the rows the
    row-wise conversion makes, and declines every block the row-wise one finds unclean."""
    rows = _varied_rows(2300)
    columns = enterprise.map_header(HEADER)
    blocks = [
        [(2 + i, cells) for i, cells in enumerate(rows[start : start + 40], start)]
        for start in range(0, len(rows), 40)
    ]
    row_wise = enterprise._Converter(columns, enterprise._Reference())
    column_wise = enterprise._Converter(columns, enterprise._Reference())
    taken = declined = 0
    for block in blocks:
        enterprise._WORKER_CONVERTER = row_wise
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(enterprise, "COLUMNWISE", False)
            expected, clean = enterprise._convert_block(block)
        found = enterprise._clean_rows(column_wise, block)
        if found is None:
            declined += 1
            continue
        taken += 1
        assert clean and found == expected
    assert taken >= 30 and declined >= 10
    # Through _convert_block too, with the memos now full of both kinds of text.
    for block in blocks:
        enterprise._WORKER_CONVERTER = row_wise
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(enterprise, "COLUMNWISE", False)
            expected = enterprise._convert_block(block)
        enterprise._WORKER_CONVERTER = column_wise
        assert enterprise._convert_block(block) == expected


def test_every_created_company_has_the_profile_its_row_gives(city, tmp_path):
    """New companies' profiles (on SQLite written a chunk at a time from the company rows and
    the file's enterprise types): each company's own type, its region, the source and time."""
    from yinli.chains.models import CompanyProfile

    path = generated(tmp_path, 700, seed=8)
    with path.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    code, kind = HEADER.index("统一社会信用代码"), HEADER.index("企业类型")
    types = {line[code]: line[kind] for line in lines[1:]}
    result = import_enterprises(path=path, user=city.analyst, source="某数据商", chunk_size=64)
    assert result.committed and result.counts["created"] == 700
    profiles = CompanyProfile.objects.values_list(
        "company__uscc",
        "enterprise_type",
        "registry_region_id",
        "company__region_id",
        "source",
        "imported_at",
    )
    assert len(profiles) == 700
    assert len(set(types.values())) > 3
    for uscc, enterprise_type, registry_region, region, source, imported_at in profiles:
        assert enterprise_type == types[uscc]
        assert registry_region == region and region is not None
        assert source == "某数据商" and imported_at == result.imported_at

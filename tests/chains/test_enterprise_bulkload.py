"""A large all-or-nothing enterprise import sets the indexes of the tables it fills aside
(yinli.core.bulkload) and, on SQLite, writes candidate search's FTS rows at the end: the same
companies, history and profiles as the import with everything in place, the indexes back
after it, candidate search finding the companies, and a refused import leaving the schema as
it was."""

from __future__ import annotations

import csv

import pytest
from django.db import connection, transaction

from tests import factories
from yinli.chains import enterprise
from yinli.chains.enterprise import import_enterprises
from yinli.chains.models import CompanyProfile
from yinli.companies.models import Company
from yinli.core import bulkload
from yinli.demo.enterprises import HEADER, enterprise_rows

# Committed tests: the imports ANALYZE the company table, and PostgreSQL's reltuples outlives a
# rollback; the flush after a committed test empties the tables (and reltuples) for the next.
pytestmark = pytest.mark.django_db(transaction=True)

History = Company.history.model
TABLES = [Company._meta.db_table, History._meta.db_table, CompanyProfile._meta.db_table]


@pytest.fixture
def city(transactional_db):
    return factories.build_city()


def write(path, rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def schema() -> dict:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                "UNION ALL SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
                [TABLES, TABLES],
            )
        else:
            cursor.execute(
                "SELECT tbl_name, name, COALESCE(sql, '') FROM sqlite_master "
                "WHERE tbl_name IN (%s, %s, %s)",
                TABLES,
            )
        return {(table, name): sql for table, name, sql in cursor.fetchall()}


def state() -> tuple:
    """The registry with each company's key replaced by its rank (a rolled-back import still
    took its keys from PostgreSQL's sequence)."""
    keys = Company.all_objects.order_by("pk").values_list("pk", flat=True)
    rank = {pk: i for i, pk in enumerate(keys)}
    companies = sorted(
        (rank[pk], *rest)
        for pk, *rest in Company.all_objects.values_list(
            "pk",
            "uscc",
            "name",
            "name_normalized",
            "name_initials",
            "version",
            "region_id",
            "registered_capital",
            "established_on",
            "insured_staff",
            "ownership",
        )
    )
    history = sorted(
        (rank[pk], *rest)
        for pk, *rest in History.objects.values_list(
            "id", "history_type", "name", "version", "registered_capital", "established_on"
        )
    )
    profiles = sorted(
        (rank[pk], *rest)
        for pk, *rest in CompanyProfile.objects.values_list(
            "company_id", "enterprise_type", "registry_region_id"
        )
    )
    search = None
    if connection.vendor == "sqlite":
        from yinli.companies.search import FTS_TABLE

        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid, name_normalized, name_initials FROM {FTS_TABLE}")
            search = sorted((rank[pk], *rest) for pk, *rest in cursor.fetchall())
    return companies, history, profiles, search


def test_the_import_with_its_indexes_set_aside_writes_what_the_plain_one_does(
    city, tmp_path, monkeypatch
):
    first = [list(row) for row in enterprise_rows(300, seed=21)]
    write(tmp_path / "first.csv", first)
    assert import_enterprises(path=tmp_path / "first.csv", user=city.analyst).committed
    code, staff = (HEADER.index(h) for h in ("统一社会信用代码", "参保人数"))
    second = [list(row) for row in first[:100]]
    for row in second[:60]:
        row[staff] = "4321"  # changed companies …
    new = [list(row) for row in enterprise_rows(250, seed=22)]
    again = [list(row) for row in new[:30]]
    for row in again:
        row[staff] = "77"  # … new ones changed by a later row of the same file …
    for row in new[30:40]:
        row[code] = ""  # … and new ones without a code.
    write(tmp_path / "second.csv", second + new + again)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The tables' size as the import estimates it (pg_class.reltuples): an earlier
            # test's ANALYZE of a larger table outlives its rollback and would keep the indexes.
            for table in TABLES:
                cursor.execute(f'ANALYZE "{table}"')
    before = schema()
    seen = []
    real = bulkload.restore

    def watching(items, **kwargs):
        seen.append({(i.table, i.kind) for i in items})
        assert all((i.table, i.name.split(".")[-1].strip('"')) not in schema() for i in items)
        return real(items, **kwargs)

    monkeypatch.setattr(bulkload, "restore", watching)
    outcomes = []
    for bulk_from in (10**9, 100):
        monkeypatch.setattr(bulkload, "BULK_FROM", bulk_from)
        monkeypatch.setattr(enterprise, "SQLITE_FTS_AT_END_FROM", bulk_from)
        with transaction.atomic():
            result = import_enterprises(path=tmp_path / "second.csv", user=city.analyst)
            assert result.committed, result.summary()["errors"]
            outcomes.append((result.counts, state()))
            assert schema() == before
            transaction.set_rollback(True)
    # The second import set the indexes of the three tables aside (the first, too small, none)
    # and built those of codes and names again for its first look-up (its first chunk's), with
    # the history's of company keys (an update looks for the company's creation record).
    assert seen[0] == set() and seen[1] == seen[2] == {("companies_company", "index")}
    assert seen[3] == {(History._meta.db_table, "index")}
    assert {table for table, _kind in seen[4]} == set(TABLES)
    assert outcomes[0] == outcomes[1]
    counts = outcomes[0][0]
    assert counts["created"] == 250 and counts["updated"] == 60 + 30
    if connection.vendor == "sqlite":
        companies, _history, _profiles, search = outcomes[1][1]
        assert len(search) == len(companies)  # one FTS row each, none twice


def test_candidate_search_finds_the_companies_of_a_large_import(city, tmp_path, monkeypatch):
    from yinli.companies.search import search_candidates

    monkeypatch.setattr(bulkload, "BULK_FROM", 50)
    monkeypatch.setattr(enterprise, "SQLITE_FTS_AT_END_FROM", 50)
    rows = [list(row) for row in enterprise_rows(200, seed=23)]
    write(tmp_path / "rows.csv", rows)
    result = import_enterprises(path=tmp_path / "rows.csv", user=city.analyst, chunk_size=60)
    assert result.committed
    for pk in (result.company_ids[0], result.company_ids[-1]):
        company = Company.objects.get(pk=pk)
        assert pk in [c.company_id for c in search_candidates(company.name, limit=5)]
    later = factories.company(name="常州晶澜测试光能科技有限公司")
    assert later.pk in [c.company_id for c in search_candidates(later.name, limit=5)]


def test_a_refused_import_leaves_the_indexes_to_the_rollback(city, tmp_path, monkeypatch):
    monkeypatch.setattr(bulkload, "BULK_FROM", 50)
    monkeypatch.setattr(enterprise, "SQLITE_FTS_AT_END_FROM", 50)
    rows = [list(row) for row in enterprise_rows(200, seed=24)]
    rows[150][HEADER.index("注册资本")] = "很多钱"
    write(tmp_path / "rows.csv", rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in TABLES:  # the size the decision reads (see above)
                cursor.execute(f'ANALYZE "{table}"')
    before, registry = schema(), state()
    dropped, rebuilt = [], []
    real_drop = bulkload.drop

    def drop(items, **kwargs):
        dropped.extend(items)
        return real_drop(items, **kwargs)

    monkeypatch.setattr(bulkload, "drop", drop)
    monkeypatch.setattr(bulkload, "restore", lambda *a, **k: rebuilt.append(a))
    result = import_enterprises(path=tmp_path / "rows.csv", user=city.analyst, chunk_size=60)
    assert not result.committed and result.counts["error_rows"] == 1
    assert dropped  # the indexes were set aside …
    assert rebuilt == []  # … and nothing built again for an import that rolls back
    assert schema() == before and state() == registry


def test_a_list_of_new_companies_builds_the_indexes_it_looks_up_only_at_the_end(
    city, tmp_path, monkeypatch
):
    """The indexes of credit codes and names go with the others; a file of new companies never
    looks a key up, so they come back at the end only. A later row repeating an earlier one's
    code is a look-up: they come back before it, once, and the row updates that company."""
    monkeypatch.setattr(bulkload, "BULK_FROM", 50)
    monkeypatch.setattr(enterprise, "SQLITE_FTS_AT_END_FROM", 50)
    brought = []
    real = enterprise.bring_back

    def bringing_back(aside, table, column):
        brought.append((column, real(aside, table, column)))
        return brought[-1][1]

    monkeypatch.setattr(enterprise, "bring_back", bringing_back)
    before = schema()
    first = [list(row) for row in enterprise_rows(200, seed=24)]
    write(tmp_path / "first.csv", first)
    result = import_enterprises(path=tmp_path / "first.csv", user=city.analyst, chunk_size=60)
    assert result.committed and result.counts["created"] == 200
    assert brought == []
    assert schema() == before

    code, staff = (HEADER.index(h) for h in ("统一社会信用代码", "参保人数"))
    second = [list(row) for row in enterprise_rows(200, seed=25)]
    repeat = list(second[10])
    repeat[staff] = "4321"
    write(tmp_path / "second.csv", [*second, repeat])
    result = import_enterprises(path=tmp_path / "second.csv", user=city.analyst, chunk_size=60)
    assert result.committed, result.summary()["errors"]
    assert result.counts["created"] == 200 and result.counts["updated"] == 1
    # Once, for the last chunk's look-up: both indexes, each built then (True), and the
    # history's of company keys (the update looks for the company's creation record).
    assert brought == [("uscc", True), ("name_normalized", True), ("id", True)]
    assert schema() == before
    assert Company.objects.get(uscc=repeat[code]).insured_staff == 4321

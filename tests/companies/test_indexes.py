"""The company table's indexes on parent and merged_into hold only the rows where they are set,
and the look-ups by key use them (migration 0008)."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from yinli.companies.models import Company

pytestmark = pytest.mark.django_db


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def definition(index: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [index])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("field", ["parent", "merged_into"])
def test_a_look_up_by_key_uses_the_partial_index(field):
    holder = Company.objects.create(name="母公司", name_normalized="母公司")
    for i in range(5):
        Company.objects.create(name=f"子公司{i}", name_normalized=f"子{i}", **{field: holder})
    for i in range(20):
        Company.objects.create(name=f"企业{i}", name_normalized=f"企业{i}")
    index = f"companies_company_{field}"
    used = re.compile(rf"\b{index}\b")  # this index, not the whole-column one it replaced
    assert used.search(plan(Company.objects.filter(**{field: holder})))
    assert used.search(plan(Company.objects.filter(**{f"{field}__in": [holder.pk, holder.pk + 1]})))
    assert Company.objects.filter(**{field: holder}).count() == 5
    # Only the rows that have one are in it.
    assert re.search(rf"WHERE \(?\"?{field}_id\"? IS NOT NULL", definition(index))

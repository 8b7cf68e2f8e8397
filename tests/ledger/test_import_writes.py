"""The import's plain multi-row INSERTs write what bulk_create_with_history wrote: the records,
one "+" history row each (by the importing user, reason "import"), the stage log."""

from __future__ import annotations

import pytest

from tests import factories
from yinli.companies.models import Company
from yinli.ledger.importer import commit_import, undo_import
from yinli.projects.models import Project, Stage, StageChange

from .test_import import csv_ledger, good_row


def test_created_records_carry_history_and_stage_log(city, industries, tmp_path):
    rows = [good_row(1), good_row(2)]
    result = commit_import(path=csv_ledger(tmp_path, rows), user=city.jingkou_editor)
    assert result.errors == [] and result.counts["create"] == 2
    for project in Project.objects.all():
        history = list(project.history.all())
        assert len(history) == 1
        record = history[0]
        assert record.history_type == "+" and record.history_change_reason == "import"
        assert record.history_user == city.jingkou_editor
        assert record.total_investment == project.total_investment
        assert record.name == project.name and record.district_id == project.district_id
        assert record.history_date == project.created_at
        assert project.version == 1 and project.created_by == city.jingkou_editor
        assert project.status == "active" and project.foreign_currency == "USD"
        assert project.name_initials  # the pinyin initials for the list's search
        log = list(StageChange.objects.filter(project=project))
        assert [(c.stage, c.on, c.note, c.by) for c in log] == [
            (Stage.SIGNED, project.first_signed_on, "台账导入", city.jingkou_editor)
        ]
        assert log[0].recorded_at is not None
    for company in Company.objects.all():
        record = company.history.get()
        assert record.history_type == "+" and record.history_user == city.jingkou_editor
        assert company.name_normalized and company.version == 1


def test_an_import_written_in_bulk_is_undone_as_a_whole(city, industries, tmp_path):
    factories.project(city, district=city.jingkou, name="已有项目")
    result = commit_import(
        path=csv_ledger(tmp_path, [good_row(n) for n in range(1, 8)]),
        user=city.admin,
        bulk=True,
        chunk_size=3,
    )
    assert result.counts["create"] == 7 and result.batch.chunks.count() == 3
    undo_import(batch=result.batch, by=city.admin)
    assert list(Project.objects.values_list("name", flat=True)) == ["已有项目"]
    assert Project.all_objects.filter(deleted_at__isnull=False).count() == 7


@pytest.mark.parametrize("bulk", [False, True])
def test_the_queries_do_not_grow_with_the_rows(city, industries, tmp_path, bulk):
    """Rows are planned in memory and written with multi-row INSERTs (COPY on PostgreSQL):
    5 rows and 40 rows of new projects take the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yinli.ledger.importer import commit_import

    from .builders import HEADER, write_csv
    from .test_import import good_row

    counted = []
    for size in (5, 40):
        path = write_csv(
            tmp_path / f"{size}.csv", [HEADER, *[good_row(1000 * size + n) for n in range(size)]]
        )
        with CaptureQueriesContext(connection) as queries:
            result = commit_import(path=path, user=city.jingkou_editor, bulk=bulk)
        assert result.counts["create"] == size, result.errors[:3]
        counted.append(len(queries))
    assert counted[0] == counted[1], counted

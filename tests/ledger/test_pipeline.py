"""The import's second writing thread (yinli.ledger.pipeline): order, read-your-writes, failures,
primary keys, the transaction."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from yinli.ledger import pipeline
from yinli.projects.models import Industry

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = Industry._meta.db_table


def insert(name: str, pk: int | None = None):
    """A job inserting one industry direction with the driver's own placeholders."""
    mark = "?" if connection.vendor == "sqlite" else "%s"
    if pk is None:
        columns, params = "name", [name]
    else:
        columns, params = "id, name", [pk, name]
    marks = ", ".join([mark] * len(params))
    sql = (
        f"INSERT INTO {TABLE} ({columns}, category, synonyms, sort_order) "
        f"VALUES ({marks}, 'industrial', '', 0)"
    )

    def job(cursor):
        cursor.execute(sql, params)

    return job


def test_jobs_run_in_order_and_django_reads_what_they_wrote():
    with transaction.atomic():
        Industry.objects.create(name="先写的")  # the transaction holds the write lock
        with pipeline.write_pipeline() as pipe:
            assert pipeline.active() is pipe
            for n in range(50):
                pipe.submit(insert(f"方向{n}"))
            # A query through Django waits for the jobs before it.
            assert Industry.objects.filter(name__startswith="方向").count() == 50
            ids = list(
                Industry.objects.filter(name__startswith="方向")
                .order_by("pk")
                .values_list("name", flat=True)
            )
            assert ids == [f"方向{n}" for n in range(50)]
        assert pipeline.active() is None


def test_the_jobs_belong_to_the_callers_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        Industry.objects.create(name="先写的")
        with pipeline.write_pipeline() as pipe:
            pipe.submit(insert("回滚的"))
        raise RuntimeError("the import fails after its rows were written")
    assert not Industry.objects.exists()


def test_a_failed_job_is_raised_in_the_importing_thread_and_stops_the_rest():
    with pytest.raises(IntegrityError), transaction.atomic():
        Industry.objects.create(name="重复")
        with pipeline.write_pipeline() as pipe:
            pipe.submit(insert("重复"))  # name is unique
            pipe.submit(insert("之后的"))
            pipe.wait()
    assert not Industry.objects.exists()
    with transaction.atomic():
        Industry.objects.create(name="起点")
        # The caller's savepoint takes back what failed; the rest of the transaction goes on.
        with pytest.raises(IntegrityError), transaction.atomic(), pipeline.write_pipeline() as pipe:
            pipe.submit(insert("起点"))
            pipe.wait()
        assert list(Industry.objects.values_list("name", flat=True)) == ["起点"]


def test_new_ids_follow_the_largest_id_ever_given():
    first = Industry.objects.create(name="甲")
    last = Industry.objects.create(name="乙").pk
    Industry.objects.filter(
        pk=last
    ).delete()  # an id once given is not given again (AUTOINCREMENT, a sequence)
    with transaction.atomic():
        Industry.objects.create(name="丙")
        with pipeline.write_pipeline() as pipe:
            ids = pipe.new_ids(Industry, 3)
            assert ids == sorted(ids) and len(set(ids)) == 3 and ids[0] > last
            for pk, name in zip(ids, ["丁", "戊", "己"], strict=True):
                pipe.submit(insert(name, pk))
            more = pipe.new_ids(Industry, 2)
            assert more[0] > ids[-1]
    assert Industry.objects.filter(name="丙").get().pk > first.pk
    assert dict(Industry.objects.filter(pk__in=ids).values_list("pk", "name")) == dict(
        zip(ids, ["丁", "戊", "己"], strict=True)
    )
    # Later saves go on after the ids the pipeline wrote (PostgreSQL: after every id it gave).
    after = Industry.objects.create(name="庚").pk
    assert after > (ids[-1] if connection.vendor == "sqlite" else more[-1])


def test_only_inside_a_transaction():
    with pytest.raises(RuntimeError, match="atomic"), pipeline.write_pipeline():
        pass


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: ids from the sequence")
def test_new_ids_across_blocks_asked_for_ahead(monkeypatch):
    """The ids come from the sequence a block at a time, the next block fetched by a job of
    the writing thread when the reserve runs low: every id given once, in increasing order,
    each a value of the sequence (later saves go on after them), none taken by the database
    for a row written meanwhile."""
    monkeypatch.setattr(pipeline, "ID_BLOCK", 8)
    given: list[int] = []
    with transaction.atomic():
        Industry.objects.create(name="起点")
        with pipeline.write_pipeline() as pipe:
            for round_ in range(12):
                ids = pipe.new_ids(Industry, 3)
                assert ids == sorted(ids) and len(ids) == 3
                given += ids
                for pk in ids:
                    pipe.submit(insert(f"行{pk}", pk))
                if round_ % 4 == 0:
                    pipe.submit(insert(f"自增{round_}"))  # an id taken by the sequence itself
                    assert len(pipe._asking) <= 1
            pipe.wait()
    assert len(set(given)) == len(given) == 36 and given == sorted(given)
    stored = dict(Industry.objects.values_list("pk", "name"))
    assert all(stored[pk] == f"行{pk}" for pk in given)
    assert len(stored) == 36 + 1 + 3
    assert Industry.objects.create(name="之后").pk > given[-1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: ids from the sequence")
def test_take_ids_names_the_sequence_once():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (sequence,) = cursor.fetchone()
        ids = pipeline.take_ids(cursor.cursor, sequence, 5)
        cursor.execute("SELECT last_value FROM " + sequence)
        (last,) = cursor.fetchone()
    assert ids == sorted(ids) and len(set(ids)) == 5 and ids[-1] == last


def test_save_writes_a_record_as_the_orm_would(django_user_model):
    """A batch record inserted and then updated by the pipeline holds what the ORM's save()
    writes for the same values (JSON, dates, texts with % and quotes, keys), and the importing
    thread reads it back through Django."""
    from django.utils import timezone

    from yinli.ledger.models import ImportBatch

    with transaction.atomic():
        user = django_user_model.objects.create_user(username="pipe-saver", password="x")
        by_orm = ImportBatch.objects.create(user=user, file_name="orm.xlsx", sha256="a" * 64)
        with pipeline.write_pipeline() as pipe:
            batch = ImportBatch(user=user, file_name="台账 100%s '1'.xlsx", parent=by_orm)
            (batch.pk,) = pipe.new_ids(ImportBatch, 1, block=4)
            pipe.save(batch, insert=True)
            batch.rows, batch.created, batch.status = 7, 5, "committed"
            batch.finished_at = timezone.now()
            batch.created_ids = {"projects.project": [3, 4, 5], "说明": "导入"}
            batch.summary = {"errors": [{"row": 3, "message": "金额 “很多” 读不出"}]}
            pipe.save(batch, insert=False)
            stored = ImportBatch.objects.get(pk=batch.pk)
        by_orm.rows, by_orm.created, by_orm.status = 7, 5, "committed"
        by_orm.finished_at = batch.finished_at
        by_orm.created_ids, by_orm.summary = batch.created_ids, batch.summary
        by_orm.save()
        by_orm.refresh_from_db()
    assert stored.file_name == "台账 100%s '1'.xlsx" and stored.parent_id == by_orm.pk
    for name in ("rows", "created", "status", "finished_at", "created_ids", "summary", "user_id"):
        assert getattr(stored, name) == getattr(by_orm, name), name
    assert stored.started_at is not None and stored.pk > by_orm.pk

"""The stage log's first dates kept on the project (yinli.projects.stagedates) agree with the log
after every way the log is written: the services, single writes and deletes, a stale project
object saved afterwards, bulk writes with refresh_stage_dates, the ledger import in bulk, the
data migration."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

from django.apps import apps

from tests import factories
from tests.ledger.builders import a_uscc
from tests.ledger.conftest import industries  # noqa: F401 (a fixture the import test uses)
from tests.ledger.test_import import csv_ledger, good_row
from yinli.core.models import Region
from yinli.ledger.importer import commit_import
from yinli.projects import services, stagedates
from yinli.projects.models import Agreement, Project, Stage, StageChange

FIELDS = stagedates.FIELDS


def stored(project_id: int) -> dict:
    return Project.all_objects.filter(pk=project_id).values(*FIELDS).get()


def from_log(project_id: int) -> dict:
    """The values computed here from the log itself, independently of the module under test."""
    log = list(
        StageChange.objects.filter(project_id=project_id)
        .order_by("on", "id")
        .values_list("stage", "on")
    )

    def first(stages):
        return min((on for stage, on in log if stage in stages), default=None)

    return {
        "entered_on": log[0][1] if log else None,
        "entered_stage": log[0][0] if log else "",
        "lead_on": first({"lead", "negotiating"}),
        "started_on": first({"started", "completed", "producing", "full"}),
        "producing_on": first({"producing", "full"}),
    }


def assert_agree(*project_ids: int) -> None:
    ids = project_ids or Project.all_objects.values_list("pk", flat=True)
    for pk in ids:
        assert stored(pk) == from_log(pk), pk


def signed_project(city, **extra):
    return factories.project(city, signed_on=date(2025, 3, 12), **extra)


def test_the_services_keep_the_dates_on_the_record_and_on_the_object(city):
    project = services.project_create(
        data={
            "name": "年产5万吨高性能碳纤维项目",
            "district": city.jingkai,
            "company": factories.company(uscc=a_uscc(1)),
            "industry": city.industry,
            "responsible_unit": city.jingkai,
            "fai_code": "2025-321100-01-01-000002",
            "agreement": Agreement.FORMAL,
            "total_investment": Decimal("15000"),
            "channel": city.channel,
            "signing_region": Region.objects.get(code="310115"),
        },
        by=city.jingkai_editor,
        stage_on=date(2025, 1, 5),
    )
    assert stored(project.pk)["entered_on"] == date(2025, 1, 5)
    assert stored(project.pk)["entered_stage"] == Stage.LEAD
    assert project.lead_on == date(2025, 1, 5)
    for stage, on in (
        (Stage.NEGOTIATING, date(2025, 2, 1)),
        (Stage.SIGNED, date(2025, 2, 10)),
        (Stage.REGISTERED, date(2025, 2, 20)),
        (Stage.STARTED, date(2025, 4, 1)),
        (Stage.PRODUCING, date(2025, 9, 1)),
    ):
        project = services.project_advance_stage(
            project=project, stage=stage, on=on, by=city.admin, version=project.version
        )
        assert_agree(project.pk)
        assert {key: getattr(project, key) for key in FIELDS} == stored(project.pk)
    assert stored(project.pk) == {
        "entered_on": date(2025, 1, 5),
        "entered_stage": Stage.LEAD,
        "lead_on": date(2025, 1, 5),
        "started_on": date(2025, 4, 1),
        "producing_on": date(2025, 9, 1),
    }


def test_a_stage_entry_written_or_deleted_alone_updates_its_project(city):
    project = signed_project(city)
    assert stored(project.pk)["entered_stage"] == Stage.SIGNED
    earlier = StageChange.objects.create(project=project, stage=Stage.LEAD, on=date(2024, 11, 2))
    started = StageChange.objects.create(project=project, stage=Stage.STARTED, on=date(2025, 6, 1))
    assert_agree(project.pk)
    assert stored(project.pk)["entered_on"] == date(2024, 11, 2)
    assert stored(project.pk)["started_on"] == date(2025, 6, 1)
    earlier.delete()
    started.delete()
    assert_agree(project.pk)
    assert stored(project.pk)["lead_on"] is None and stored(project.pk)["started_on"] is None


def test_a_project_object_loaded_before_a_stage_change_does_not_write_back_old_dates(city):
    project = signed_project(city)
    stale = Project.objects.get(pk=project.pk)
    StageChange.objects.create(project=project, stage=Stage.STARTED, on=date(2025, 5, 1))
    stale.notes = "后来保存的旧对象"
    stale.save()
    assert stored(project.pk)["started_on"] == date(2025, 5, 1)
    # A log changed behind the model's back (QuerySet.update) is read again at the next save.
    StageChange.objects.filter(project=project, stage=Stage.STARTED).update(on=date(2025, 4, 1))
    project.refresh_from_db()
    project.save()
    assert stored(project.pk)["started_on"] == date(2025, 4, 1)
    assert_agree(project.pk)


def test_bulk_writes_are_followed_by_a_refresh(city):
    projects = [signed_project(city) for _ in range(3)]
    StageChange.objects.bulk_create(
        [StageChange(project=p, stage=Stage.NEGOTIATING, on=date(2025, 1, n + 1)) for n, p in
         enumerate(projects)]
        + [StageChange(project=projects[0], stage=Stage.FULL, on=date(2025, 12, 1))]
    )  # fmt: skip
    assert stored(projects[0].pk)["producing_on"] is None  # no signal for a bulk write
    assert stagedates.refresh_stage_dates(project_ids=[projects[0].pk]) == 1
    assert stored(projects[0].pk)["producing_on"] == date(2025, 12, 1)
    assert stored(projects[1].pk)["lead_on"] is None  # not asked for
    assert stagedates.refresh_stage_dates() == Project.all_objects.count()
    assert_agree()
    assert stored(projects[1].pk)["lead_on"] == date(2025, 1, 2)


def test_a_project_without_a_log_has_no_dates(city):
    project = signed_project(city)
    StageChange.objects.filter(project=project).delete()
    assert stored(project.pk) == {key: ("" if key == "entered_stage" else None) for key in FIELDS}
    stagedates.refresh_stage_dates(project_ids=[project.pk])
    assert stored(project.pk)["entered_stage"] == ""


def test_an_import_in_bulk_writes_the_dates(city, industries, tmp_path):  # noqa: F811
    result = commit_import(
        path=csv_ledger(tmp_path, [good_row(n) for n in range(1, 5)]),
        user=city.jingkou_editor,
        bulk=True,
    )
    assert result.counts["create"] == 4
    assert Project.objects.count() == 4
    assert_agree()
    for values in Project.objects.values(*FIELDS):
        assert values["entered_on"] is not None and values["entered_stage"]


def test_the_migration_fills_what_the_module_computes(city):
    projects = [signed_project(city) for _ in range(2)]
    StageChange.objects.create(project=projects[0], stage=Stage.LEAD, on=date(2024, 10, 1))
    StageChange.objects.create(project=projects[1], stage=Stage.PRODUCING, on=date(2025, 11, 1))
    Project.all_objects.update(
        entered_on=None, entered_stage="", lead_on=None, started_on=None, producing_on=None
    )
    migration = importlib.import_module("yinli.projects.migrations.0005_stage_dates")
    migration.fill_stage_dates(apps, None)
    assert_agree()
    assert stored(projects[1].pk)["producing_on"] == date(2025, 11, 1)


def test_the_rule_reads_the_log_in_the_order_it_was_written():
    values = stagedates.stage_dates_from_log(
        [
            (Stage.SIGNED, date(2025, 3, 1)),
            (Stage.LEAD, date(2025, 3, 1)),  # the same day, written after: not the first entry
            (Stage.FULL, date(2025, 8, 1)),
            (Stage.STARTED, date(2025, 5, 1)),
        ]
    )
    assert values == {
        "entered_on": date(2025, 3, 1),
        "entered_stage": Stage.SIGNED,
        "lead_on": date(2025, 3, 1),
        "started_on": date(2025, 5, 1),
        "producing_on": date(2025, 8, 1),
    }

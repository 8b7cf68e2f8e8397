"""Importing a district's ledger: what it creates, every problem it reports, re-import, undo."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from yinli.companies.models import Company
from yinli.core.services import PermissionDeniedError
from yinli.ledger.importer import (
    commit_import,
    import_records,
    preview_import,
    save_mapping,
    undo_import,
)
from yinli.ledger.models import BatchStatus, ImportBatch
from yinli.projects.models import Category, Project, Stage, StageChange
from yinli.projects.services import project_update

from .builders import HEADER, USCC_A, messy_xlsx, write_csv


def good_row(n=1, **change):
    row = dict(
        zip(
            HEADER,
            [
                n,
                f"年产{n}万吨锂电池材料项目",
                f"江苏恒远新能源{n}科技有限公司",
                "",
                "上海",
                "15000",
                "新能源",
                "2025-03-12",
                "签约",
                "以商引商",
                "京口区",
            ],
            strict=True,
        )
    )
    row.update(change)
    return [row[h] for h in HEADER]


def csv_ledger(tmp_path, rows, name="台账.csv", encoding="gbk"):
    return write_csv(tmp_path / name, [HEADER, *rows], encoding=encoding)


def errors_of(result):
    return [(e.row, e.column, e.value) for e in result.errors]


# -- what a messy workbook creates -------------------------------------------------------------


def test_it_creates_every_project_of_a_messy_workbook(city, industries, tmp_path):
    result = commit_import(path=messy_xlsx(tmp_path / "台账.xlsx"), user=city.jingkou_editor)
    assert result.committed and result.errors == []
    assert result.counts["create"] == 5
    projects = {p.name: p for p in Project.objects.all()}
    first = projects["年产5万吨锂电池材料项目"]
    assert first.district == city.jingkou
    assert first.total_investment == Decimal("35000")  # 3.5 in a (亿元) column
    assert first.foreign_investment == Decimal("500") and first.foreign_currency == "USD"
    assert first.signing_region.code == "310115"  # 上海浦东 → 浦东新区
    assert first.industry == industries["新能源及新型电力装备"]
    assert first.category == Category.INDUSTRIAL  # from the industry direction
    assert first.stage == Stage.SIGNED and first.first_signed_on == date(2025, 3, 12)
    assert first.channel.name == "以商引商" and first.first_contact == "张三"
    assert first.company.name == "江苏恒远新能源科技有限公司"
    assert first.created_by == city.jingkou_editor
    assert first.history.count() == 1
    # Amounts typed as text, with their own units, and dates in five formats.
    assert projects["高端医疗器械产业园项目"].total_investment == Decimal("12000")
    assert projects["高端医疗器械产业园项目"].stage == Stage.NEGOTIATING
    assert projects["智能装备制造基地"].total_investment == Decimal("20000")
    assert projects["智能装备制造基地"].first_signed_on == date(2025, 5, 20)
    assert projects["新材料研发中心"].total_investment == Decimal("12000")
    assert projects["新材料研发中心"].first_signed_on == date(2025, 6, 1)
    assert projects["现代物流园"].total_investment == Decimal("8000")
    assert projects["现代物流园"].first_signed_on == date(2025, 7, 1)
    assert projects["现代物流园"].category == Category.SERVICE
    assert StageChange.objects.filter(
        project=first, stage=Stage.SIGNED, on=date(2025, 3, 12)
    ).exists()


def test_the_batch_records_who_what_and_the_counts(city, industries, tmp_path):
    result = commit_import(path=messy_xlsx(tmp_path / "台账.xlsx"), user=city.jingkou_editor)
    batch = result.batch
    assert batch.user == city.jingkou_editor and batch.district == city.jingkou
    assert batch.file_name == "台账.xlsx" and len(batch.sha256) == 64
    assert (batch.rows, batch.created, batch.status) == (5, 5, BatchStatus.COMMITTED)
    assert sorted(batch.created_ids["projects.project"]) == sorted(
        Project.objects.values_list("id", flat=True)
    )


# -- every problem, with its row and column ----------------------------------------------------


def test_it_reports_every_problem_with_its_row_column_and_value(city, industries, tmp_path):
    path = csv_ledger(
        tmp_path,
        [
            good_row(1),
            good_row(2, **{"总投资(万元)": "很多", "签约时间": "2025-13-40"}),
            good_row(3, **{"项目进度": "搁置中"}),
            good_row(4, **{"所属板块": "镇江经开区"}),
            good_row(5, **{"来源地": "朝阳区"}),
            good_row(6, **{"统一社会信用代码": "91321100MA1XK2LH8X"}),
            good_row(7, **{"招商方式": ""}),
        ],
    )
    result = preview_import(path=path, user=city.jingkou_editor)
    assert errors_of(result) == [
        (3, "总投资(万元)", "很多"),
        (3, "签约时间", "2025-13-40"),
        (4, "项目进度", "搁置中"),
        (5, "所属板块", "镇江经开区"),
        (6, "来源地", "朝阳区"),
        (7, "统一社会信用代码", "91321100MA1XK2LH8X"),
        (8, "招商方式", ""),
    ]
    assert all(e.message for e in result.errors)
    assert result.errors[0].cell == "F3"
    assert [r.action for r in result.rows] == ["create"] + ["error"] * 6
    assert Project.objects.count() == 0


def test_error_messages_are_in_chinese(city, industries, tmp_path):
    path = csv_ledger(tmp_path, [good_row(1, **{"项目进度": "搁置中"})])
    result = preview_import(path=path, user=city.jingkou_editor)
    assert "搁置中" in result.errors[0].message
    assert "stage" not in result.errors[0].message.lower()


def test_an_unreadable_amount_is_never_zero_or_blank(city, industries, tmp_path):
    path = csv_ledger(tmp_path, [good_row(1, **{"总投资(万元)": "3-5亿"})])
    result = commit_import(path=path, user=city.jingkou_editor)
    assert not result.committed and errors_of(result) == [(2, "总投资(万元)", "3-5亿")]
    assert result.batch.status == BatchStatus.FAILED
    assert Project.objects.count() == 0


# -- all or nothing, or the valid rows only --------------------------------------------------


def test_commit_is_all_or_nothing_by_default(city, industries, tmp_path):
    path = csv_ledger(tmp_path, [good_row(1), good_row(2, **{"项目进度": "搁置中"})])
    result = commit_import(path=path, user=city.jingkou_editor)
    assert not result.committed and Project.objects.count() == 0
    assert result.summary()["created"] == 0


def test_skip_invalid_writes_the_valid_rows_and_reports_the_rest(city, industries, tmp_path):
    path = csv_ledger(tmp_path, [good_row(1), good_row(2, **{"项目进度": "搁置中"}), good_row(3)])
    result = commit_import(path=path, user=city.jingkou_editor, skip_invalid=True)
    summary = result.summary()
    assert (summary["created"], summary["skipped"]) == (2, 1)
    assert summary["errors"][0]["row"] == 3
    assert result.batch.status == BatchStatus.PARTIAL
    assert Project.objects.count() == 2


# -- re-import, corrections ------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(city, industries, tmp_path):
    path = messy_xlsx(tmp_path / "台账.xlsx")
    commit_import(path=path, user=city.jingkou_editor)
    versions = dict(Project.objects.values_list("id", "version"))
    again = commit_import(path=path, user=city.jingkou_editor)
    assert again.counts == {
        "rows": 5,
        "create": 0,
        "update": 0,
        "unchanged": 5,
        "error": 0,
        "held": 0,
    }
    assert dict(Project.objects.values_list("id", "version")) == versions
    assert Company.objects.count() == 5


def test_a_corrected_file_updates_the_rows_it_matches(city, industries, tmp_path):
    commit_import(path=csv_ledger(tmp_path, [good_row(1), good_row(2)]), user=city.jingkou_editor)
    corrected = csv_ledger(
        tmp_path, [good_row(1, **{"总投资(万元)": "18000"}), good_row(2)], name="改.csv"
    )
    result = commit_import(path=corrected, user=city.jingkou_editor)
    assert (result.counts["update"], result.counts["unchanged"]) == (1, 1)
    project = Project.objects.get(name="年产1万吨锂电池材料项目")
    assert project.total_investment == Decimal("18000") and project.version == 2
    assert project.history.first().history_user == city.jingkou_editor


def test_it_matches_by_project_code_before_the_name(city, industries, tmp_path):
    header = [*HEADER, "投资项目代码"]
    first = write_csv(tmp_path / "a.csv", [header, [*good_row(1), "2501-321102-04-01-000001"]])
    commit_import(path=first, user=city.jingkou_editor)
    renamed = good_row(1, **{"项目名称": "年产1万吨锂电池材料项目(一期)"})
    second = write_csv(tmp_path / "b.csv", [header, [*renamed, "2501-321102-04-01-000001"]])
    result = commit_import(path=second, user=city.jingkou_editor)
    assert result.counts["update"] == 1 and Project.objects.count() == 1
    assert Project.objects.get().name == "年产1万吨锂电池材料项目(一期)"


def test_a_later_stage_advances_the_project_and_an_earlier_one_is_only_noted(
    city, industries, tmp_path
):
    signed = {"统一社会信用代码": USCC_A}
    commit_import(path=csv_ledger(tmp_path, [good_row(1, **signed)]), user=city.jingkou_editor)
    started = csv_ledger(tmp_path, [good_row(1, **signed, **{"项目进度": "在建"})], name="b.csv")
    result = commit_import(path=started, user=city.jingkou_editor)
    assert result.counts["update"] == 0 and result.counts["error"] == 1  # 开工 needs 投资项目代码
    assert "投资项目代码" in result.errors[0].message
    registered = csv_ledger(tmp_path, [good_row(1, **signed, **{"项目进度": "签约"})], name="c.csv")
    assert commit_import(path=registered, user=city.jingkou_editor).counts["unchanged"] == 1
    Project.objects.update(stage=Stage.REGISTERED)
    back = commit_import(path=registered, user=city.jingkou_editor)
    assert back.counts["unchanged"] == 1 and back.warnings[0].row == 2
    assert Project.objects.get().stage == Stage.REGISTERED
    code = {"统一社会信用代码": USCC_A, "项目进度": "在建"}
    header = [*HEADER, "投资项目代码"]
    path = write_csv(
        tmp_path / "d.csv", [header, [*good_row(1, **code), "2501-321102-04-01-000009"]]
    )
    result = commit_import(path=path, user=city.jingkou_editor)
    assert result.counts["update"] == 1
    project = Project.objects.get()
    assert (project.stage, project.fai_code) == (Stage.STARTED, "2501-321102-04-01-000009")
    assert project.stage_changes.filter(stage=Stage.STARTED, note="台账导入").exists()


def test_the_same_project_twice_in_a_file_is_an_error(city, industries, tmp_path):
    result = preview_import(
        path=csv_ledger(tmp_path, [good_row(1), good_row(1)]), user=city.jingkou_editor
    )
    assert errors_of(result) == [(3, "项目名称", "年产1万吨锂电池材料项目")]


# -- companies -------------------------------------------------------------------------------


def test_companies_are_found_by_credit_code_or_normalized_name(city, industries, tmp_path):
    known = factories.company(name="江苏恒远新能源1科技有限公司")
    by_code = factories.company(name="上海某某有限公司", uscc=USCC_A)
    path = csv_ledger(
        tmp_path,
        [
            good_row(1, **{"投资方": "恒远新能源1科技（江苏）有限公司"}),
            good_row(2, **{"投资方": "上海某某集团", "统一社会信用代码": USCC_A}),
            good_row(3),
        ],
    )
    commit_import(path=path, user=city.jingkou_editor)
    assert Project.objects.get(name="年产1万吨锂电池材料项目").company == known
    assert Project.objects.get(name="年产2万吨锂电池材料项目").company == by_code
    assert Company.objects.count() == 3


# -- duplicates ------------------------------------------------------------------------------


def test_it_lists_projects_that_look_like_the_row(city, industries, tmp_path):
    investor = factories.company(name="江苏恒远新能源1科技有限公司")
    same_company = factories.project(city, district=city.jingkai, company=investor, name="别的项目")
    same_name = factories.project(city, district=city.jingkai, name="年产2万吨 锂电池材料项目")
    result = preview_import(
        path=csv_ledger(tmp_path, [good_row(1), good_row(2)]), user=city.jingkou_editor
    )
    found = {(d["row"], d["project_id"]) for d in result.possible_duplicates}
    assert found == {(2, same_company.pk), (3, same_name.pk)}
    assert "镇江经开区" in result.possible_duplicates[0]["reason"]


# -- the persona rule ------------------------------------------------------------------------


def test_a_jingkou_editor_cannot_import_into_jingkai(city, industries, tmp_path):
    path = csv_ledger(tmp_path, [good_row(1, **{"所属板块": ""})])
    with pytest.raises(PermissionDeniedError):
        preview_import(path=path, user=city.jingkou_editor, district=city.jingkai)


def test_a_district_editor_imports_into_her_own_district_by_default(city, industries, tmp_path):
    path = csv_ledger(tmp_path, [good_row(1, **{"所属板块": ""})])
    commit_import(path=path, user=city.jingkai_editor)
    assert Project.objects.get().district == city.jingkai


def test_rows_for_another_district_than_the_chosen_one_are_errors(city, industries, tmp_path):
    path = csv_ledger(tmp_path, [good_row(1, **{"所属板块": "京口"})])
    result = preview_import(path=path, user=city.admin, district=city.jingkai)
    assert errors_of(result) == [(2, "所属板块", "京口")]


def test_a_viewer_may_not_import(city, industries, tmp_path):
    with pytest.raises(PermissionDeniedError):
        preview_import(path=csv_ledger(tmp_path, [good_row(1)]), user=city.outsider)


# -- undo ------------------------------------------------------------------------------------


def test_undo_takes_back_a_whole_import(city, industries, tmp_path):
    commit_import(path=csv_ledger(tmp_path, [good_row(1)]), user=city.jingkou_editor)
    corrected = csv_ledger(
        tmp_path, [good_row(1, **{"总投资(万元)": "18000"}), good_row(2)], "b.csv"
    )
    result = commit_import(path=corrected, user=city.jingkou_editor)
    undo_import(batch=result.batch, by=city.jingkou_editor)
    assert list(Project.objects.values_list("name", "total_investment")) == [
        ("年产1万吨锂电池材料项目", Decimal("15000"))
    ]
    assert Project.all_objects.filter(
        name="年产2万吨锂电池材料项目", deleted_at__isnull=False
    ).exists()
    assert not Company.objects.filter(name="江苏恒远新能源2科技有限公司").exists()
    assert ImportBatch.objects.get(pk=result.batch.pk).status == BatchStatus.UNDONE


def test_undo_is_refused_after_a_later_edit(city, industries, tmp_path):
    result = commit_import(path=csv_ledger(tmp_path, [good_row(1)]), user=city.jingkou_editor)
    project = Project.objects.get()
    project_update(
        project=project, data={"notes": "改过"}, version=project.version, by=city.jingkou_editor
    )
    with pytest.raises(ValidationError) as caught:
        undo_import(batch=result.batch, by=city.jingkou_editor)
    assert caught.value.code == "changed_since"
    assert "年产1万吨锂电池材料项目" in caught.value.messages[0]
    assert Project.objects.count() == 1


def test_a_failed_import_cannot_be_undone(city, industries, tmp_path):
    result = commit_import(
        path=csv_ledger(tmp_path, [good_row(1, **{"项目进度": "?"})]), user=city.jingkou_editor
    )
    with pytest.raises(ValidationError):
        undo_import(batch=result.batch, by=city.jingkou_editor)


# -- mappings --------------------------------------------------------------------------------


def test_a_saved_mapping_is_reused_when_the_headers_match(city, industries, tmp_path):
    header = ["项目", "企业", "钱(万元)", "板块名", "状态", "行业", "签约", "方式", "地"]
    row = [
        "某项目",
        "某某科技有限公司",
        "20000",
        "京口区",
        "签约",
        "新能源",
        "2025-01-05",
        "以商引商",
        "上海",
    ]
    path = write_csv(tmp_path / "odd.csv", [header, row])
    columns = {
        "项目": "name",
        "企业": "company",
        "钱(万元)": "total_investment",
        "板块名": "district",
        "状态": "stage",
        "行业": "industry",
        "签约": "signed_on",
        "方式": "channel",
        "地": "signing_region",
    }
    save_mapping(district=city.jingkou, name="京口台账", columns=columns, by=city.jingkou_editor)
    result = commit_import(path=path, user=city.jingkou_editor)
    assert result.errors == [] and Project.objects.get().total_investment == Decimal("20000")


# -- bulk mode -------------------------------------------------------------------------------


def test_bulk_mode_writes_in_undoable_chunks(city, industries, tmp_path):
    path = csv_ledger(tmp_path, [good_row(n) for n in range(1, 8)], encoding="utf-8-sig")
    seen = []
    result = commit_import(
        path=path,
        user=city.jingkou_editor,
        bulk=True,
        chunk_size=3,
        progress=lambda done, total: seen.append(done),
    )
    assert result.counts["create"] == 7 and Project.objects.count() == 7
    chunks = list(result.batch.chunks.order_by("first_row"))
    assert [(c.first_row, c.last_row, c.created) for c in chunks] == [
        (2, 4, 3),
        (5, 7, 3),
        (8, 8, 1),
    ]
    assert seen == [3, 6, 7]  # one pass: each chunk checked and written
    undo_import(batch=chunks[-1], by=city.jingkou_editor)
    assert Project.objects.count() == 6
    undo_import(batch=result.batch, by=city.jingkou_editor)
    assert Project.objects.count() == 0


def test_bulk_mode_without_skip_invalid_writes_nothing_when_a_row_is_wrong(
    city, industries, tmp_path
):
    rows = [good_row(n) for n in range(1, 6)] + [good_row(6, **{"总投资(万元)": "x"})]
    result = commit_import(
        path=csv_ledger(tmp_path, rows), user=city.jingkou_editor, bulk=True, chunk_size=2
    )
    assert not result.committed and Project.objects.count() == 0
    assert errors_of(result) == [(7, "总投资(万元)", "x")]
    # The chunks written before the wrong row are rolled back with their batches; the failed
    # import is recorded, with no count of what it would have written.
    assert list(ImportBatch.objects.values_list("status", "rows", "created", "parent")) == [
        (BatchStatus.FAILED, 6, 0, None)
    ]
    assert (result.counts["rows"], result.counts["error"], result.counts["create"]) == (6, 1, 0)


@pytest.mark.parametrize("bulk", [True, False])
def test_a_large_import_sets_the_project_indexes_aside(
    city, industries, tmp_path, monkeypatch, bulk
):
    """From bulkload.BULK_FROM rows (lowered here), a file large beside the project table is
    written with the table's indexes dropped and built again before the commit."""
    from django.db import connection

    from yinli.core import bulkload

    tables = [Project, Project.history.model, StageChange, Company, Company.history.model]

    def indexes():
        return {
            (item.name, item.definition)
            for model in tables
            for item in bulkload.secondary_indexes(model._meta.db_table)
        }

    def foreign_keys():
        return {
            (item.table, item.name, item.definition)
            for model in tables
            for item in bulkload.foreign_key_constraints(model._meta.db_table)
        }

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The tables' size as the import estimates it (pg_class.reltuples): an earlier
            # test's ANALYZE of a larger table outlives its rollback and would keep the indexes.
            for model in tables:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    before, keys_before = indexes(), foreign_keys()
    seen = []
    dropped = []
    real_drop = bulkload.drop

    def drop(items, **kwargs):
        seen.extend(item.table for item in items)
        dropped.extend(items)
        return real_drop(items, **kwargs)

    monkeypatch.setattr(bulkload, "BULK_FROM", 5)
    monkeypatch.setattr(bulkload, "drop", drop)
    result = commit_import(
        path=csv_ledger(tmp_path, [good_row(n) for n in range(1, 8)]),
        user=city.jingkou_editor,
        bulk=bulk,
        chunk_size=3,
    )
    assert result.committed and Project.objects.count() == 7
    if connection.vendor == "sqlite":  # the history and the stage log keep theirs
        assert set(seen) == {"projects_project"}
        # The project's plain single-column indexes stay (kept up to date by the inserts);
        # the ones over several columns are set aside.
        aside = {item.name for item in dropped if item.kind == "index"}
        assert aside and all(item.column is None for item in dropped)
        assert "projects_pr_stage_713b42_idx" in aside
        assert "projects_project_company_id_66b5c58b" not in aside
        assert any(name == "projects_project_company_id_66b5c58b" for name, _sql in before)
    else:
        # The company tables too (their trigram indexes); the plain single-column B-trees of
        # the project tables stay (kept up to date by the COPY), the rest is set aside.
        assert {
            "projects_project",
            "projects_stagechange",
            "companies_company",
            "companies_historicalcompany",
        } <= set(seen)
        aside = {item.name: item.definition for item in dropped if item.kind == "index"}
        assert "companies_company_name_normalized_trgm" in aside
        project_tables = {m._meta.db_table for m in tables[:3]}
        kept = {
            name
            for name, definition in before
            if name.split(".")[-1] not in aside
            and any(f" ON public.{table} " in definition for table in project_tables)
        }
        assert "projects_project_company_id_66b5c58b" in kept
        assert "projects_stagechange_project_id_f75eb42c" in kept
        for definition in aside.values():
            if any(f" ON public.{table} " in definition for table in project_tables):
                # set aside: several columns, an operator class of its own, or a predicate
                assert "," in definition or "_ops" in definition or " WHERE " in definition
        assert any("," in aside[name] for name in aside if name.startswith("projects_project"))
        assert foreign_keys() == keys_before and any(
            item.kind == "foreign key" and item.table == "companies_company" for item in dropped
        )
    assert indexes() == before and before
    assert Project.objects.filter(district=city.jingkou, first_signed_on__isnull=False).count() == 7
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"


def test_bulk_mode_reports_every_wrong_row_after_the_first(city, industries, tmp_path):
    rows = [good_row(n) for n in range(1, 8)]
    rows[1] = good_row(2, 签约时间="昨天")
    rows[5] = good_row(6, **{"总投资(万元)": "很多"})
    result = commit_import(
        path=csv_ledger(tmp_path, rows), user=city.jingkou_editor, bulk=True, chunk_size=2
    )
    assert not result.committed and Project.objects.count() == 0
    assert errors_of(result) == [(3, "签约时间", "昨天"), (7, "总投资(万元)", "很多")]


def test_the_generic_batch_writer_imports_any_model(city, tmp_path):
    def convert(number, name):
        if not name:
            raise ValidationError("空")
        return Company(name=name, name_normalized=name)

    batch, problems = import_records(
        rows=[(2, "甲公司"), (3, ""), (4, "乙公司")],
        model=Company,
        convert=convert,
        user=city.admin,
        kind="companies",
        chunk_size=2,
    )
    assert (batch.rows, batch.created, batch.skipped) == (3, 2, 1)
    assert [p.row for p in problems] == [3]
    undo_import(batch=batch, by=city.admin)
    assert not Company.objects.exists()

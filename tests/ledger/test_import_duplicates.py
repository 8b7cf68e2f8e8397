"""Possible duplicates in an import: nothing is written without a person's answer (issue 5).

A row whose investor already has a project in another district (or whose name another
district's project has) is held until someone says "a different investment" (with a reason,
kept on the project) or "the same project" (the project is written and a conflict names both).
"""

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from yinli.ledger.importer import check_row_decision, commit_import, preview_import, undo_import
from yinli.ledger.models import BatchStatus
from yinli.projects.models import Conflict, ConflictOrigin, ConflictStatus, Project

from .builders import HEADER, write_csv


def row(n, company=None, name=None):
    return [
        n,
        name or f"年产{n}万吨锂电池材料项目",
        company or f"江苏恒远新能源{n}科技有限公司",
        "",
        "上海",
        "15000",
        "新能源",
        "2025-03-12",
        "签约",
        "以商引商",
        "京口区",
    ]


@pytest.fixture
def elsewhere(city, industries):
    """A jingkai project of the investor that row 2 names, and one named as row 4's."""
    investor = factories.company(name="江苏恒远新能源1科技有限公司")
    same_investor = factories.project(
        city, district=city.jingkai, company=investor, name="恒远新能源一期项目"
    )
    same_name = factories.project(city, district=city.jingkai, name="年产3万吨锂电池材料项目")
    return same_investor, same_name


@pytest.fixture
def ledger(tmp_path):
    return write_csv(tmp_path / "台账.csv", [HEADER, row(1), row(2), row(3)])


def written_names():
    return set(Project.objects.filter(district__code="jingkou").values_list("name", flat=True))


def test_rows_nobody_answered_for_are_held(city, elsewhere, ledger):
    same_investor, same_name = elsewhere
    preview = preview_import(path=ledger, user=city.jingkou_editor)
    assert preview.counts["held"] == 2 and preview.counts["create"] == 1
    assert {d["row"]: d["kind"] for d in preview.possible_duplicates} == {2: "investor", 4: "name"}

    result = commit_import(path=ledger, user=city.jingkou_editor)
    assert result.committed and result.errors == []
    assert result.held_rows == [
        {"row": 2, "project_ids": [same_investor.pk]},
        {"row": 4, "project_ids": [same_name.pk]},
    ]
    assert written_names() == {"年产2万吨锂电池材料项目"}
    assert result.batch.status == BatchStatus.PARTIAL and result.batch.skipped == 2
    summary = result.summary()
    assert (summary["created"], summary["held"], summary["skipped"]) == (1, 2, 2)
    assert {d["row"] for d in summary["possible_duplicates"]} == {2, 4}

    # The same file again, now answered: the held rows go in, the written one is unchanged.
    again = commit_import(
        path=ledger,
        user=city.jingkou_editor,
        decisions={
            2: {"decision": "distinct", "reason": "二期新厂，另行投资"},
            4: {"decision": "distinct", "reason": "同名不同项目"},
        },
    )
    assert (again.counts["create"], again.counts["unchanged"], again.counts["held"]) == (2, 1, 0)
    assert len(written_names()) == 3


def test_a_different_investment_keeps_its_reason(city, elsewhere, ledger):
    commit_import(
        path=ledger,
        user=city.jingkou_editor,
        decisions={2: {"decision": "distinct", "reason": "二期新厂，另行投资"}},
    )
    project = Project.objects.get(name="年产1万吨锂电池材料项目")
    assert (project.duplicate_decision, project.duplicate_reason) == (
        "distinct",
        "二期新厂，另行投资",
    )
    assert project.history.count() == 1  # written once, with its answer
    assert not Conflict.objects.exists()
    assert "年产3万吨锂电池材料项目" not in written_names()  # row 4: still held


def test_a_different_investment_without_a_reason_stays_held(city, elsewhere, ledger):
    result = commit_import(
        path=ledger, user=city.jingkou_editor, decisions={2: {"decision": "distinct"}}
    )
    assert [h["row"] for h in result.held_rows] == [2, 4]
    assert any(w.row == 2 and "理由" in w.message for w in result.warnings)
    assert "年产1万吨锂电池材料项目" not in written_names()


def test_the_same_project_opens_a_conflict_naming_both(city, elsewhere, ledger):
    same_investor, same_name = elsewhere
    result = commit_import(
        path=ledger,
        user=city.jingkou_editor,
        decisions={
            "2": {"decision": "same", "same_as": same_investor.pk, "reason": "同一投资方同一项目"},
            "4": {"decision": "same"},  # the row's only candidate
        },
    )
    new_one = Project.objects.get(district=city.jingkou, name="年产1万吨锂电池材料项目")
    new_three = Project.objects.get(district=city.jingkou, name="年产3万吨锂电池材料项目")
    conflicts = {
        (c.project_a_id, c.project_b_id, c.district_a_id, c.district_b_id, c.origin, c.status)
        for c in Conflict.objects.all()
    }
    assert conflicts == {
        (same_investor.pk, new_one.pk, city.jingkai.pk, city.jingkou.pk, "import", "open"),
        (same_name.pk, new_three.pk, city.jingkai.pk, city.jingkou.pk, "import", "open"),
    }
    assert new_one.duplicate_decision == "same"
    assert sorted(result.conflicts) == sorted(Conflict.objects.values_list("pk", flat=True))
    assert Conflict.objects.get(project_b=new_one).note == "同一投资方同一项目"
    assert ConflictOrigin.IMPORT == "import" and ConflictStatus.OPEN == "open"

    undo_import(batch=result.batch, by=city.jingkou_editor)
    assert not Conflict.objects.exists()
    assert written_names() == set()


def test_the_same_project_must_be_one_of_the_rows_candidates(city, elsewhere, ledger):
    same_investor, same_name = elsewhere
    result = commit_import(
        path=ledger,
        user=city.jingkou_editor,
        decisions={2: {"decision": "same", "same_as": same_name.pk}},
    )
    assert [h["row"] for h in result.held_rows] == [2, 4]
    assert not Conflict.objects.exists()
    with pytest.raises(ValidationError):
        check_row_decision({"decision": "same", "same_as": 999999}, [same_investor.pk])
    with pytest.raises(ValidationError):
        check_row_decision({"decision": "maybe"}, [same_investor.pk])


def test_every_unanswered_row_may_be_declared_a_different_investment(city, elsewhere, ledger):
    with pytest.raises(ValidationError):
        commit_import(path=ledger, user=city.jingkou_editor, undecided="distinct")
    assert written_names() == set()
    result = commit_import(
        path=ledger,
        user=city.jingkou_editor,
        undecided="distinct",
        undecided_reason="集团在多个板块分别投资",
        decisions={4: {"decision": "same"}},
    )
    assert result.counts["held"] == 0 and result.counts["create"] == 3
    decided = dict(
        Project.objects.filter(district=city.jingkou).values_list("name", "duplicate_reason")
    )
    assert decided == {
        "年产1万吨锂电池材料项目": "集团在多个板块分别投资",
        "年产2万吨锂电池材料项目": "",  # no warning, no answer
        "年产3万吨锂电池材料项目": "",  # answered "the same project"
    }
    assert Conflict.objects.count() == 1


def test_bulk_mode_holds_and_answers_the_same_way(city, elsewhere, ledger):
    same_investor, _same_name = elsewhere
    result = commit_import(
        path=ledger,
        user=city.jingkou_editor,
        bulk=True,
        chunk_size=2,
        decisions={2: {"decision": "same", "same_as": same_investor.pk}},
    )
    assert [h["row"] for h in result.held_rows] == [4]
    assert written_names() == {"年产1万吨锂电池材料项目", "年产2万吨锂电池材料项目"}
    assert Conflict.objects.get().project_a == same_investor
    undo_import(batch=result.batch, by=city.jingkou_editor)
    assert not Conflict.objects.exists() and written_names() == set()


def test_rows_of_the_same_file_do_not_flag_each_other(city, industries, tmp_path):
    """A city-wide ledger naming one investor in two districts: the preview cannot know the
    records the import itself writes, and decisions follow the preview."""
    path = write_csv(
        tmp_path / "全市.csv",
        [HEADER, row(1, company="江苏同一集团有限公司"), row(2, company="江苏同一集团有限公司")],
    )
    rows = path.read_text().splitlines()
    path.write_text("\n".join([*rows[:2], rows[2].replace("京口区", "镇江经开区")]) + "\n")
    result = commit_import(path=path, user=city.admin, bulk=True, chunk_size=1)
    assert result.counts["create"] == 2 and result.held_rows == []

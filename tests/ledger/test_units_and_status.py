"""The columns issue 4 names, the responsible unit (责任单位) and status words (暂缓, 流失 …)."""

import pytest

from yinli.ledger.importer import commit_import, preview_import, undo_import
from yinli.ledger.mapping import field_for_header
from yinli.ledger.models import ValueSynonym
from yinli.projects.models import Project, Stage, Status

from .builders import HEADER, write_csv

# Every header issue 4 lists, with the field it must map to.
ISSUE_HEADERS = {
    "项目名称": "name",
    "项目名": "name",
    "投资方": "company",
    "投资主体": "company",
    "签约企业": "company",
    "来源地": "signing_region",
    "投资来源地": "signing_region",
    "客商所在地": "signing_region",
    "企业注册地": "signing_region",
    "实控方所在地": "controller_region",
    "总投资": "total_investment",
    "计划总投资": "total_investment",
    "计划总投资(亿元)": "total_investment",
    "协议外资(万美元)": "foreign_investment",
    "产业类别": "industry",
    "所属产业": "industry",
    "产业方向": "industry",
    "项目类别": "category",
    "签约时间": "signed_on",
    "签约日期": "signed_on",
    "所属板块": "district",
    "落户地": "district",
    "项目进度": "stage",
    "当前进度": "stage",
    "首谈人": "first_contact",
    "责任人": "responsible_person",
    "招商方式": "channel",
    "招商渠道": "channel",
    "统一社会信用代码": "uscc",
    "投资项目代码": "fai_code",
    "备注": "notes",
    "责任单位": "responsible_unit",
    "项目状态": "status",
    "状态": "status",
    "状态说明": "status_reason",
    "流失去向": "lost_to",
}


@pytest.mark.parametrize(("header", "field"), sorted(ISSUE_HEADERS.items()))
def test_every_header_of_the_issue_is_recognised(header, field):
    assert field_for_header(header) == field


def ledger(tmp_path, extra_headers, rows, name="台账.csv", district="京口区"):
    """The builders' header plus ``extra_headers``; each row gives (n, stage, *extra values)."""
    body = []
    for n, stage, *extra in rows:
        body.append(
            [
                n,
                f"年产{n}万吨锂电池材料项目",
                f"江苏恒远新能源{n}科技有限公司",
                "",
                "上海",
                "15000",
                "新能源",
                "2025-03-12",
                stage,
                "以商引商",
                district,
                *extra,
            ]
        )
    return write_csv(tmp_path / name, [HEADER + extra_headers, *body])


def errors_of(result):
    return [(e.row, e.column, e.value, e.message) for e in result.errors]


# -- 责任单位 ------------------------------------------------------------------------------


def test_the_responsible_unit_is_found_by_name_within_the_city(city, industries, tmp_path):
    path = ledger(
        tmp_path,
        ["责任单位"],
        [
            (1, "签约", "生物医药及大健康产业招商局"),
            (2, "签约", ""),
            (3, "签约", "央企(北京)招商代表处"),
        ],
        district="镇江经开区",
    )
    result = commit_import(path=path, user=city.admin, district=city.jingkai)
    assert result.errors == [], errors_of(result)
    units = dict(Project.objects.values_list("name", "responsible_unit__name"))
    assert units == {
        "年产1万吨锂电池材料项目": "生物医药及大健康产业招商局",
        "年产2万吨锂电池材料项目": "镇江经开区",  # no unit named: the district itself
        "年产3万吨锂电池材料项目": "央企(北京)招商代表处",  # a city-level unit
    }


def test_an_unknown_or_foreign_responsible_unit_is_a_row_error(city, industries, tmp_path):
    path = ledger(
        tmp_path,
        ["责任单位"],
        [(1, "签约", "火星招商局"), (2, "签约", "生物医药及大健康产业招商局")],
    )
    result = preview_import(path=path, user=city.jingkou_editor)
    errors = errors_of(result)
    assert [(row, column, value) for row, column, value, _m in errors] == [
        (2, "责任单位", "火星招商局"),
        (3, "责任单位", "生物医药及大健康产业招商局"),
    ]
    assert "火星招商局" in errors[0][3] and "单位" in errors[0][3]
    assert "京口区" in errors[1][3]
    assert result.counts["create"] == 0


def test_a_district_editor_may_not_name_a_city_unit(city, industries, tmp_path):
    path = ledger(tmp_path, ["责任单位"], [(1, "签约", "央企(北京)招商代表处")])
    result = preview_import(path=path, user=city.jingkou_editor)
    assert [(e.row, e.column) for e in result.errors] == [(2, "责任单位")]


# -- status words ----------------------------------------------------------------------------


def test_status_words_become_the_project_status(city, industries, tmp_path):
    path = ledger(
        tmp_path,
        ["项目状态", "状态说明", "流失去向"],
        [
            (1, "签约", "推进中", "", ""),
            (2, "签约", "暂缓", "企业资金紧张", ""),
            (3, "签约", "搁置", "", ""),
            (4, "签约", "流失", "落户外地", "安徽合肥"),
            (5, "签约", "终止", "", ""),
            (6, "签约", "", "", ""),
        ],
    )
    result = commit_import(path=path, user=city.jingkou_editor)
    assert result.errors == [], errors_of(result)
    found = {
        p.name[2]: (p.status, p.status_reason, p.lost_to.name if p.lost_to else None)
        for p in Project.objects.select_related("lost_to")
    }
    assert found == {
        "1": (Status.ACTIVE, "", None),
        "2": (Status.PAUSED, "企业资金紧张", None),
        "3": (Status.PAUSED, "台账导入：搁置", None),
        "4": (Status.LOST, "落户外地", "合肥市"),
        "5": (Status.TERMINATED, "台账导入：终止", None),
        "6": (Status.ACTIVE, "", None),
    }


def test_a_status_word_nobody_knows_is_an_error_until_an_admin_adds_it(city, industries, tmp_path):
    path = ledger(tmp_path, ["项目状态"], [(1, "签约", "黄了")])
    result = preview_import(path=path, user=city.jingkou_editor)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, "项目状态", "黄了")]
    assert "黄了" in result.errors[0].message
    ValueSynonym.objects.create(kind="status", text="黄了", value=Status.TERMINATED)
    commit_import(path=path, user=city.jingkou_editor)
    assert Project.objects.get().status == Status.TERMINATED


def test_a_lost_project_needs_where_it_went(city, industries, tmp_path):
    path = ledger(tmp_path, ["项目状态"], [(1, "签约", "流失")])
    result = preview_import(path=path, user=city.jingkou_editor)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, "项目状态", "流失")]
    assert "流失去向" in result.errors[0].message


def test_a_status_word_in_the_progress_column_sets_the_status(city, industries, tmp_path):
    path = ledger(tmp_path, [], [(1, "暂缓"), (2, "在谈")])
    result = commit_import(path=path, user=city.jingkou_editor)
    assert result.errors == [], errors_of(result)
    paused = Project.objects.get(name="年产1万吨锂电池材料项目")
    # The row gives a signing date and no stage: signed, and on hold.
    assert (paused.stage, paused.status) == (Stage.SIGNED, Status.PAUSED)
    talking = Project.objects.get(name="年产2万吨锂电池材料项目")
    assert (talking.stage, talking.status) == (Stage.NEGOTIATING, Status.ACTIVE)


def test_a_corrected_status_updates_the_project_and_undo_restores_it(city, industries, tmp_path):
    first = ledger(tmp_path, ["项目状态"], [(1, "签约", "推进中")], name="a.csv")
    commit_import(path=first, user=city.jingkou_editor)
    second = ledger(
        tmp_path, ["项目状态", "状态说明"], [(1, "签约", "暂缓", "等待环评")], name="b.csv"
    )
    result = commit_import(path=second, user=city.jingkou_editor)
    assert result.counts["update"] == 1, errors_of(result)
    project = Project.objects.get()
    assert (project.status, project.status_reason) == (Status.PAUSED, "等待环评")
    assert project.history.first().history_change_reason == "status"
    again = commit_import(path=second, user=city.jingkou_editor)
    assert again.counts["unchanged"] == 1
    undo_import(batch=result.batch, by=city.jingkou_editor)
    project.refresh_from_db()
    assert (project.status, project.status_reason) == (Status.ACTIVE, "")

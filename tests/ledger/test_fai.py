"""The statistics bureau's 入库 list sets the 入库列统 month on the projects it names."""

from datetime import date

import pytest

from tests import factories
from yinli.core.services import PermissionDeniedError
from yinli.ledger.fai import import_fai
from yinli.ledger.importer import undo_import

from .builders import write_csv

HEADER = ["序号", "项目代码", "项目名称", "入库月份", "计划总投资(万元)"]


def test_it_sets_the_month_by_code_and_by_name_and_lists_the_rest(city, tmp_path):
    by_code = factories.project(city, name="甲项目", fai_code="2501-321102-04-01-000001")
    by_name = factories.project(city, name="乙 项目")
    path = write_csv(
        tmp_path / "入库.csv",
        [
            ["2025年7月新入库项目清单"],
            HEADER,
            [1, "2501-321102-04-01-000001", "甲项目(改名)", "2025年7月", "52000"],
            [2, "2501-321102-04-01-000002", "乙项目", "2025-07", "8000"],
            [3, "2501-321102-04-01-000003", "丙项目", "2025.7", "6000"],
        ],
        encoding="gbk",
    )
    result = import_fai(path=path, user=city.admin)
    by_code.refresh_from_db()
    by_name.refresh_from_db()
    assert by_code.fai_on == date(2025, 7, 1)
    assert (by_name.fai_on, by_name.fai_code) == (date(2025, 7, 1), "2501-321102-04-01-000002")
    assert [m["row"] for m in result.matched] == [3]
    assert [m["row"] for m in result.matched_by_name] == [4]
    assert result.unmatched == [
        {"row": 5, "code": "2501-321102-04-01-000003", "name": "丙项目", "month": "2025-07"}
    ]
    again = import_fai(path=path, user=city.admin)
    assert again.unchanged == 2
    undo_import(batch=result.batch, by=city.admin)
    by_name.refresh_from_db()
    assert (by_name.fai_on, by_name.fai_code) == (None, "")


def test_an_unreadable_month_stops_the_list(city, tmp_path):
    project = factories.project(city, name="甲项目", fai_code="C1")
    path = write_csv(tmp_path / "入库.csv", [HEADER, [1, "C1", "甲项目", "七月", "1"]])
    result = import_fai(path=path, user=city.admin)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, "入库月份", "七月")]
    project.refresh_from_db()
    assert project.fai_on is None


def test_only_a_city_admin_imports_the_list(city, tmp_path):
    path = write_csv(tmp_path / "入库.csv", [HEADER])
    with pytest.raises(PermissionDeniedError):
        import_fai(path=path, user=city.jingkou_editor)

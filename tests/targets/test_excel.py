"""Targets to Excel and back: a round trip, custom breakdowns, and every error named by row and column."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from yinli.targets.excel import export_targets, import_targets
from yinli.targets.models import Target
from yinli.targets.services import target_save

pytestmark = pytest.mark.django_db


def _rows(data: bytes):
    return list(load_workbook(BytesIO(data)).active.iter_rows(values_only=True))


def _book(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_year_exported_and_imported_back_is_unchanged(city, targets):
    target_save(
        year=2025,
        unit=city.bureau,
        figure="signed_count",
        annual=6,
        breakdown="months",
        parts=["0", "0", "1", "1", "1", "0", "1", "0", "1", "0", "1", "0"],
        by=city.admin,
    )
    data = export_targets(Target.objects.filter(year=2025).select_related("unit", "definition"))
    before = {
        (t.unit_id, t.figure): (t.annual, t.breakdown, t.parts, t.version)
        for t in Target.objects.all()
    }
    result = import_targets(data=data, by=city.admin)
    assert result.as_dict() == {"created": 0, "updated": 0, "unchanged": 5}
    after = {
        (t.unit_id, t.figure): (t.annual, t.breakdown, t.parts, t.version)
        for t in Target.objects.all()
    }
    assert after == before


def test_changed_numbers_come_back_in(city, targets):
    rows = _rows(
        export_targets(Target.objects.filter(year=2025).select_related("unit", "definition"))
    )
    header = list(rows[0])
    annual = header.index("全年目标")
    rows = [list(r) for r in rows]
    for row in rows[1:]:
        if row[1] == "jingkou" and row[3] == "signed_count":
            row[annual] = 9
    result = import_targets(data=_book(rows), by=city.admin)
    assert result.updated == 1
    assert Target.objects.get(unit=city.jingkou, figure="signed_count").annual == 9


def test_a_quarterly_breakdown_is_read_from_its_columns(city):
    header = [
        "年份",
        "单位代码",
        "指标代码",
        "全年目标",
        "分解方式",
        "一季度",
        "二季度",
        "三季度",
        "四季度",
    ]
    data = _book(
        [header, [2025, "jingkai", "signed_investment_yi", 100, "按季分解", 10, 20, 30, 40]]
    )
    import_targets(data=data, by=city.admin)
    target = Target.objects.get(unit=city.jingkai)
    assert target.breakdown == "quarters" and target.parts == ["10", "20", "30", "40"]


def test_every_bad_row_is_named_and_nothing_is_saved(city):
    header = [
        "年份",
        "单位代码",
        "指标代码",
        "全年目标",
        "分解方式",
        "一季度",
        "二季度",
        "三季度",
        "四季度",
    ]
    data = _book(
        [
            header,
            [2025, "jingkou", "signed_count", 8, "", None, None, None, None],
            [2025, "nowhere", "signed_count", 8, "", None, None, None, None],
            [2025, "jingkai", "signed_count", "八个", "", None, None, None, None],
            [2025, "jingkai", "signed_investment_yi", 100, "按季分解", 10, 20, 30, 30],
            [2025, "jingkou", "no_such_figure", 1, "", None, None, None, None],
        ]
    )
    with pytest.raises(ValidationError) as raised:
        import_targets(data=data, by=city.admin)
    messages = raised.value.messages
    assert any(m.startswith("第3行，“单位代码”列，值“nowhere”") for m in messages)
    assert any(m.startswith("第4行，“全年目标”列，值“八个”") for m in messages)
    assert any(m.startswith("第5行") and "合计为90" in m for m in messages)
    assert any(m.startswith("第6行，“指标代码”列") for m in messages)
    assert not Target.objects.exists()


def test_a_file_that_is_not_excel_is_refused_in_chinese(city):
    with pytest.raises(ValidationError) as raised:
        import_targets(data=b"not a workbook", by=city.admin)
    assert "Excel" in raised.value.messages[0]


def test_a_district_may_not_import(city):
    from yinli.core.services import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        import_targets(
            data=_book([["年份", "单位代码", "指标代码", "全年目标"]]), by=city.jingkou_editor
        )

"""The Excel workbook, read back with openpyxl and compared with the report JSON."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.stats.conftest import signed
from yinli.stats.report import build_report
from yinli.stats.xlsx import report_xlsx, sheet_name


@pytest.fixture
def report(city):
    signed(city, wan="20000", source="440300", district=city.jingkou)
    signed(city, wan="15000", source="KR-SEOUL", ownership="foreign", foreign_investment="2000")
    signed(city, wan="30000", on=date(2024, 4, 1))
    signed(city, wan="60000", category="service", fai_on=date(2025, 5, 1))
    return build_report(user=city.analyst, period="2025H1")


@pytest.fixture
def book(report):
    return load_workbook(io.BytesIO(report_xlsx(report)))


def test_a_sheet_of_headline_figures_then_one_per_breakdown(book):
    assert book.sheetnames[0] == "主要指标"
    assert "按板块" in book.sheetnames and "按来源城市" in book.sheetnames
    assert len(book.sheetnames) == 14


def test_the_title_rows_name_scope_period_and_definition(book, report):
    sheet = book["主要指标"]
    assert report["period"]["label"] in sheet["A1"].value
    meta = sheet["A2"].value
    assert report["scope"]["name"] in meta and report["period"]["start"] in meta
    assert f"{report['definition']['name']}" in meta
    assert f"第{report['definition']['version']}版" in meta


def test_headline_figures_are_numbers_with_formats(book, report):
    sheet = book["主要指标"]
    assert [c.value for c in sheet[4]][:4] == ["指标", "本期", "上年同期", "同比（%）"]
    assert sheet["B5"].value == report["signed"]["count"] == 3
    assert sheet["C5"].value == report["signed"]["previous"]["count"] == 1
    assert sheet["D5"].value == report["signed"]["count_yoy_pct"] == 200.0
    assert sheet["B6"].value == report["signed"]["investment_yi"] == 9.5
    assert sheet["B6"].number_format == "0.0" and sheet["B5"].number_format == "0"
    assert isinstance(sheet["B6"].value, float)


def test_a_figure_without_a_value_is_a_dash(book, report):
    sheet = book["主要指标"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=5)}
    row = rows["其中服务业：项目数"]
    assert row[1].value == 1 and row[2].value == 0 and row[3].value == "—"


def test_each_breakdown_sheet_equals_its_rows(book, report):
    sheet = book["按板块"]
    assert [c.value for c in sheet[4]] == [
        "名称",
        "项目数",
        "项目数占比（%）",
        "投资额（亿元）",
        "投资额占比（%）",
    ]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert rows == [
        [r["name"], r["count"], r["count_share_pct"], r["investment_yi"], r["investment_share_pct"]]
        for r in report["by_district"]
    ]


def test_it_prints_on_a4_landscape_with_the_header_repeated(book):
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9
        assert sheet.print_title_rows == "$4:$4"


def test_sheet_names_are_valid_and_unique():
    used = set()
    assert sheet_name("按来源/区域[市外]", used) == "按来源·区域·市外·"
    long = "很" * 40
    assert sheet_name(long, used) == "很" * 31
    assert sheet_name(long, used) == "很" * 28 + "(2)"

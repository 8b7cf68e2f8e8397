"""Reading ledgers as they really are: formats, encodings, headers, guards."""

import zipfile

import pytest
import xlsxwriter

from yinli.ledger.mapping import field_for_header, header_unit, join_header_rows
from yinli.ledger.reader import LedgerFileError, Limits, open_ledger

from .builders import HEADER, messy_xlsx, minimal_ods, write_csv

ROW = [
    1,
    "年产5万吨锂电池材料项目",
    "江苏恒远新能源科技有限公司",
    "",
    "上海",
    "15000",
    "新能源",
    "2025-03-12",
    "签约",
    "以商引商",
    "京口区",
]


def _rows(ledger):
    return list(ledger.data_rows())


def test_it_finds_a_merged_two_row_header_under_a_title(tmp_path):
    ledger = open_ledger(messy_xlsx(tmp_path / "l.xlsx"))
    assert ledger.header_rows == [3, 4]
    fields = {c.header: c.field for c in ledger.columns}
    assert fields["投资情况 / 计划总投资(亿元)"] == "total_investment"
    assert fields["投资情况 / 协议外资(万美元)"] == "foreign_investment"
    assert fields["项目名称"] == "name"
    assert ledger.mapped["total_investment"].unit == "亿元"
    assert ledger.mapped["total_investment"].letter == "E"


def test_it_skips_blank_and_total_rows_and_keeps_spreadsheet_row_numbers(tmp_path):
    ledger = open_ledger(messy_xlsx(tmp_path / "l.xlsx"))
    assert [number for number, _cells in _rows(ledger)] == [5, 6, 8, 9, 10]
    assert ledger.skipped_rows == [(11, "total")]


def test_it_reads_formulas_as_their_cached_values(tmp_path):
    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["项目名称", "总投资(万元)", "签约时间"])
    sheet.write_row(1, 0, ["甲项目", 100])
    sheet.write_formula(1, 1, "=50*2", None, 100)
    book.close()
    ((number, cells),) = _rows(open_ledger(path))
    assert number == 2 and cells[1] == 100


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_it_reads_csv_in_every_encoding_districts_use(tmp_path, encoding):
    path = write_csv(tmp_path / "l.csv", [HEADER, ROW], encoding=encoding)
    ledger = open_ledger(path)
    assert ledger.header_rows == [1]
    ((number, cells),) = _rows(ledger)
    assert number == 2 and cells[1] == "年产5万吨锂电池材料项目"
    assert ledger.headers[0] == "序号"  # no BOM left on the first header


def test_it_reads_an_ods_workbook(tmp_path):
    path = minimal_ods(tmp_path / "l.ods", [["镇江市招商台账"], HEADER, ROW])
    ledger = open_ledger(path)
    assert ledger.format == "ods" and ledger.header_rows == [2]
    ((number, cells),) = _rows(ledger)
    assert number == 3 and cells[2] == "江苏恒远新能源科技有限公司"


def test_it_skips_a_note_row_under_the_data(tmp_path):
    path = write_csv(tmp_path / "l.csv", [HEADER, ROW, ["注：金额单位为万元"]])
    ledger = open_ledger(path)
    assert [n for n, _ in _rows(ledger)] == [2]
    assert ledger.skipped_rows == [(3, "note")]


def test_it_refuses_a_file_without_a_header(tmp_path):
    path = write_csv(tmp_path / "l.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(LedgerFileError) as caught:
        open_ledger(path)
    assert caught.value.code == "no_header"


def test_it_refuses_a_file_over_the_size_limit(tmp_path):
    path = write_csv(tmp_path / "l.csv", [HEADER, ROW])
    with pytest.raises(LedgerFileError) as caught:
        open_ledger(path, limits=Limits(max_bytes=10, max_rows=100, max_uncompressed=10**9))
    assert caught.value.code == "too_large"


def test_it_refuses_too_many_rows_before_reading_them(tmp_path):
    path = write_csv(tmp_path / "l.csv", [HEADER] + [ROW] * 100)
    with pytest.raises(LedgerFileError) as caught:
        open_ledger(path, limits=Limits(max_bytes=10**9, max_rows=10, max_uncompressed=10**9))
    assert caught.value.code == "too_many_rows"
    assert "10" in caught.value.messages[0]


def test_it_refuses_a_zip_bomb_before_expanding_it(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    assert path.stat().st_size < 100_000  # it compresses to almost nothing
    with pytest.raises(LedgerFileError) as caught:
        open_ledger(path, limits=Limits(max_bytes=10**9, max_rows=100, max_uncompressed=10**6))
    assert caught.value.code == "zip_bomb"


def test_it_refuses_a_format_it_does_not_read(tmp_path):
    path = tmp_path / "l.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(LedgerFileError) as caught:
        open_ledger(path)
    assert caught.value.code == "bad_format"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("项目名称", "name"),
        ("项目名", "name"),
        ("投资主体", "company"),
        ("签约企业", "company"),
        ("客商所在地", "signing_region"),
        ("企业注册地", "signing_region"),
        ("实控方所在地", "controller_region"),
        ("计划总投资\n（亿元）", "total_investment"),
        ("协议外资(万美元)", "foreign_investment"),
        ("所属产业", "industry"),
        ("项目类别", "category"),
        ("签约日期", "signed_on"),
        ("落户地", "district"),
        ("当前进度", "stage"),
        ("首谈人", "first_contact"),
        ("责任人", "responsible_person"),
        ("招商渠道", "channel"),
        ("统一社会信用代码", "uscc"),
        ("投资项目代码", "fai_code"),
        ("备注", "notes"),
        ("序号", "seq"),
        ("*项目名称", "name"),
        ("天气", None),
    ],
)
def test_it_maps_column_names_and_their_variants(header, field):
    assert field_for_header(header) == field


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("总投资(亿元)", "亿元"),
        ("计划总投资（万元）", "万元"),
        ("协议外资(万美元)", "万美元"),
        ("总投资", None),
    ],
)
def test_it_reads_the_unit_from_the_header(header, unit):
    assert header_unit(header) == unit


def test_a_merged_parent_fills_only_the_columns_under_it():
    pairs = join_header_rows(
        ["项目名称", "投资情况", "", "签约时间"], ["", "总投资", "协议外资", ""]
    )
    assert pairs == [
        ("", "项目名称"),
        ("投资情况", "总投资"),
        ("投资情况", "协议外资"),
        ("", "签约时间"),
    ]

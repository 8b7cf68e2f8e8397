"""The Word bulletin: official layout (GB/T 9704), fonts with their East-Asian names, tables."""

import io
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.stats.conftest import signed
from yinli.stats.docx import chinese_number, report_docx
from yinli.stats.publish import publish_report, published_json
from yinli.stats.report import build_report


@pytest.fixture
def report(city):
    signed(city, wan="20000", source="440300", district=city.jingkou)
    signed(city, wan="15000", source="KR-SEOUL", ownership="foreign", foreign_investment="2000")
    signed(city, wan="30000", on=date(2024, 4, 1), fai_on=date(2024, 5, 1))
    signed(city, wan="60000", category="service", fai_on=date(2025, 5, 1))
    return build_report(user=city.analyst, period="2025H1")


@pytest.fixture
def document(report):
    return Document(io.BytesIO(report_docx(report)))


def east_asian(run):
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def one_decimal(value):
    return "—" if value is None else f"{value:.1f}"


def test_the_page_is_a4_with_the_official_margins(document):
    section = document.sections[0]

    def mm(*lengths):  # Word stores twips: 210 mm is 11906 twips, 210.01 mm
        return tuple(round(length.mm, 1) for length in lengths)

    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.top_margin, section.bottom_margin) == (37, 35)
    assert mm(section.left_margin, section.right_margin) == (28, 26)


def test_the_grid_has_22_lines_of_28_characters(document):
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    type_height_pt = (297 - 37 - 35) / 25.4 * 72
    assert round(type_height_pt / (int(grid.get(qn("w:linePitch"))) / 20)) == 22
    type_width_pt = (210 - 28 - 26) / 25.4 * 72
    char_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert round(type_width_pt / char_pt) == 28


def test_the_title_is_xiaobiaosong_size_2_centred(document, report):
    title = document.paragraphs[0]
    assert title.text == f"{report['scope']['name']}{report['period']['label']}招商引资工作情况通报"
    run = title.runs[0]
    assert run.font.name == "方正小标宋简体" and east_asian(run) == "方正小标宋简体"
    assert run.font.size == Pt(22)
    assert title.alignment == 1  # centre


def test_the_bulletin_is_fangsong_size_3(document, report):
    body = document.paragraphs[1]
    assert body.text == report["bulletin"]
    run = body.runs[0]
    assert east_asian(run) == "仿宋_GB2312" and run.font.size == Pt(16)
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert body.paragraph_format.line_spacing == Pt(28.95)


def test_headings_are_heiti_then_kaiti(document):
    texts = {p.text: p for p in document.paragraphs}
    first = texts["一、主要指标"]
    assert east_asian(first.runs[0]) == "黑体" and first.runs[0].font.size == Pt(16)
    second = next(p for p in document.paragraphs if p.text.startswith("（一）"))
    assert east_asian(second.runs[0]) == "楷体_GB2312" and second.runs[0].font.size == Pt(16)


def test_the_fonts_fall_back_to_the_common_ones(document):
    part = next(
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("fontTable")
    )
    xml = part.blob.decode("utf-8")
    for official, common in (
        ("方正小标宋简体", "宋体"),
        ("仿宋_GB2312", "仿宋"),
        ("楷体_GB2312", "楷体"),
    ):
        assert f'w:name="{official}"><w:altName w:val="{common}"/>' in xml


def test_the_page_number_sits_between_dashes_at_the_bottom(document):
    footer = document.sections[0].footer.paragraphs[0]
    assert footer.text == "— 1 —"
    assert footer.alignment == 1
    assert " PAGE " in footer._element.xml
    assert all(east_asian(run) == "宋体" for run in footer.runs)


def test_the_headline_table_holds_the_report_figures(document, report):
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["指标", "本期", "上年同期", "同比（%）"]
    signed_row = [c.text for c in table.rows[1].cells]
    assert signed_row[1:] == [
        str(report["signed"]["count"]),
        str(report["signed"]["previous"]["count"]),
        one_decimal(report["signed"]["count_yoy_pct"]),
    ]
    investment = [c.text for c in table.rows[2].cells]
    assert investment[1] == one_decimal(report["signed"]["investment_yi"]) == "9.5"
    assert investment[3] == one_decimal(report["signed"]["investment_yoy_pct"])
    cell = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert east_asian(cell) == "仿宋_GB2312" and cell.font.size == Pt(12)


def test_each_breakdown_table_equals_its_rows(document, report):
    headings = [p.text for p in document.paragraphs if p.text.startswith("（")]
    tables = document.tables[1:-1]
    assert len(headings) == len(tables)
    by_title = dict(zip(headings, tables, strict=True))
    table = next(t for h, t in by_title.items() if h.endswith("按板块"))
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert rows == [
        [
            r["name"],
            str(r["count"]),
            one_decimal(r["count_share_pct"]),
            one_decimal(r["investment_yi"]),
            one_decimal(r["investment_share_pct"]),
        ]
        for r in report["by_district"]
    ]
    assert len(rows) == 2


def test_the_definition_is_named(document, report):
    name, version = report["definition"]["name"], report["definition"]["version"]
    assert any(name in p.text and f"第{version}版" in p.text for p in document.paragraphs)


def test_a_published_report_carries_its_title_and_publication(report, city):
    published = publish_report(user=city.analyst, period="2025H1", title="上半年工作通报")
    document = Document(io.BytesIO(report_docx(published_json(published))))
    assert document.paragraphs[0].text == "上半年工作通报"
    assert any(f"第{published.pk}号" in p.text for p in document.paragraphs)


def test_headings_count_in_chinese():
    assert [chinese_number(n) for n in (1, 9, 10, 13, 20, 21)] == [
        "一",
        "九",
        "十",
        "十三",
        "二十",
        "二十一",
    ]

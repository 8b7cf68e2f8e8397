"""The report as a Word document in the usual official layout (GB/T 9704 conventions).

    A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; 22 lines of 28 characters;
    title 方正小标宋简体 二号 (22 pt); body 仿宋_GB2312 三号 (16 pt); first-level headings 黑体 三号,
    second-level 楷体_GB2312 三号; page number at the bottom as "— 1 —" (宋体 四号).

The bulletin comes first, then the tables (headline figures with their year-on-year change, the
breakdowns, the follow-through), and the definition version that made them. Every run names
its East-Asian font (w:eastAsia: python-docx's font.name sets only the Latin ones), and the
font table lists, for each official font, the common one a machine without it should use
(w:altName: 方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体), so the document reads
on an office PC that lacks the official fonts.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from lxml import etree

# The official fonts and what stands in for each where it is missing.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
FALLBACKS = {
    TITLE_FONT: "宋体",
    BODY_FONT: "仿宋",
    HEADING2_FONT: "楷体",
    HEADING1_FONT: "SimHei",
    PAGE_FONT: "SimSun",
    "仿宋": "FangSong",
    "楷体": "KaiTi",
}

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_SMALL_4 = Pt(12)  # 小四, the tables

# 22 lines in the type area (297 − 37 − 35 = 225 mm = 12755 twips): a line every 579 twips.
LINE_PITCH_TWIPS = 579
LINE = Pt(LINE_PITCH_TWIPS / 20)
# 28 characters in 156 mm (210 − 28 − 26): 15.79 pt each, 0.207 pt under 三号 (in 1/4096 pt).
CHAR_SPACE = -849

NUMERALS = "一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 13 → 十三, 21 → 二十一 (headings are numbered this way)."""
    if n < 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


BREAKDOWNS = [
    ("by_category", gettext_noop("By category")),
    ("by_region_group", gettext_noop("By source region group (outside the city)")),
    ("by_source_class", gettext_noop("Outside the city and local")),
    ("by_source_province", gettext_noop("By source province")),
    ("by_source_city", gettext_noop("By source city")),
    ("by_source_country", gettext_noop("By source country")),
    ("by_district", gettext_noop("By district")),
    ("by_industry", gettext_noop("By industry direction")),
    ("by_channel", gettext_noop("By channel")),
    ("by_size_band", gettext_noop("By size")),
    ("by_ownership", gettext_noop("By ownership")),
    ("by_event", gettext_noop("By event")),
    ("top_source_cities", gettext_noop("Top source cities")),
]


def breakdowns() -> list[tuple[str, str]]:
    """The breakdown keys and their titles, translated now (not at import)."""
    return [(key, _(title)) for key, title in BREAKDOWNS]


def number(value: Any, places: int = 1) -> str:
    """A figure as the tables show it: counts whole, amounts and percents to `places`."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return f"{value:.{places}f}"


def set_font(run, name: str, size, *, bold: bool = False) -> None:
    """Latin and East-Asian font of a run (w:rFonts ascii, hAnsi and eastAsia)."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), name)
    r_fonts.set(qn("w:cs"), name)


def _exact_lines(paragraph, spacing=LINE) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = spacing
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _paragraph(document, text: str, font: str, size, *, align=None, indent=False, bold=False):
    paragraph = document.add_paragraph()
    _exact_lines(paragraph)
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size.pt * 2)
    set_font(paragraph.add_run(text), font, size, bold=bold)
    return paragraph


def _add_fallback_fonts(document) -> None:
    """Name a stand-in (w:altName) for each official font in the document's font table."""
    part = next(
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("fontTable")
    )
    fonts = parse_xml(part.blob)
    for name, alternative in FALLBACKS.items():
        font = parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}">'
            f'<w:altName w:val="{alternative}"/><w:charset w:val="86"/>'
            '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        )
        fonts.append(font)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)  # the page number sits about 7 mm under the type area
    sect_pr = section._sectPr
    for grid in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(grid)
    sect_pr.append(
        parse_xml(
            f'<w:docGrid {nsdecls("w")} w:type="linesAndChars" '
            f'w:linePitch="{LINE_PITCH_TWIPS}" w:charSpace="{CHAR_SPACE}"/>'
        )
    )
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def _page_number(document) -> None:
    """ "— 1 —" centred at the bottom of every page (a PAGE field between two dashes)."""
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(paragraph.add_run("— "), PAGE_FONT, SIZE_4)
    begin = paragraph.add_run()
    set_font(begin, PAGE_FONT, SIZE_4)
    begin._element.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"/>'))
    code = paragraph.add_run()
    set_font(code, PAGE_FONT, SIZE_4)
    code._element.append(
        parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve"> PAGE </w:instrText>')
    )
    separate = paragraph.add_run()
    set_font(separate, PAGE_FONT, SIZE_4)
    separate._element.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="separate"/>'))
    set_font(paragraph.add_run("1"), PAGE_FONT, SIZE_4)
    end = paragraph.add_run()
    set_font(end, PAGE_FONT, SIZE_4)
    end._element.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>'))
    set_font(paragraph.add_run(" —"), PAGE_FONT, SIZE_4)


def _table(document, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(paragraph.add_run(text), HEADING1_FONT, SIZE_SMALL_4)
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if i == 0 else WD_ALIGN_PARAGRAPH.RIGHT
            set_font(paragraph.add_run(text), BODY_FONT, SIZE_SMALL_4)
    # the header row repeats on every page the table runs over
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))


def headline_rows(report: dict) -> list[list[str]]:
    """Headline figures: this period, the same period last year, the change in percent."""
    signed, foreign, fai = report["signed"], report["foreign"], report["in_statistics"]
    rows = [
        [
            _("Signed above the threshold: projects"),
            number(signed["count"]),
            number(signed["previous"]["count"]),
            number(signed["count_yoy_pct"]),
        ],
        [
            _("Signed above the threshold: investment (100 million yuan)"),
            number(signed["investment_yi"]),
            number(signed["previous"]["investment_yi"]),
            number(signed["investment_yoy_pct"]),
        ],
    ]
    for item in report.get("by_category", []):
        figures = signed.get(item["key"], item)
        rows += [
            [
                _("of which %(category)s: projects") % {"category": item["name"]},
                number(item["count"]),
                number(figures["previous"]["count"]),
                number(figures["count_yoy_pct"]),
            ],
            [
                _("of which %(category)s: investment (100 million yuan)")
                % {"category": item["name"]},
                number(item["investment_yi"]),
                number(figures["previous"]["investment_yi"]),
                number(figures["investment_yoy_pct"]),
            ],
        ]
    rows += [
        [_("Foreign-funded projects"), number(foreign["count"]), "—", "—"],
        [
            _("Agreed foreign investment (100 million yuan)"),
            number(foreign["agreed_investment_yi"]),
            "—",
            "—",
        ],
        [_("Foreign share (%)"), number(foreign["investment_share_pct"]), "—", "—"],
        [
            _("Newly in statistics (入库列统): projects"),
            number(fai["count"]),
            number(fai["previous"]["count"]),
            number(fai.get("count_yoy_pct")),
        ],
        [
            _("Newly in statistics (入库列统): investment (100 million yuan)"),
            number(fai["investment_yi"]),
            number(fai["previous"]["investment_yi"]),
            number(fai["investment_yoy_pct"]),
        ],
    ]
    return rows


def headline_header() -> list[str]:
    return [_("Figure"), _("This period"), _("Same period last year"), _("Change (%)")]


def breakdown_header() -> list[str]:
    return [
        _("Name"),
        _("Number of projects"),
        _("Share of projects (%)"),
        _("Investment (100 million yuan)"),
        _("Share of investment (%)"),
    ]


def breakdown_rows(rows: list[dict]) -> list[list[str]]:
    return [
        [
            str(row["name"]),
            number(row["count"]),
            number(row["count_share_pct"]),
            number(row["investment_yi"]),
            number(row["investment_share_pct"]),
        ]
        for row in rows
    ]


def follow_through_items(report: dict) -> list[tuple[str, float | None]]:
    """The follow-through rates of the signed projects: (label, percent)."""
    follow = report["follow_through"]
    return [
        (_("Started (开工率, %)"), follow["started_pct"]),
        (_("Fulfilled (履约率, %)"), follow["fulfilled_pct"]),
        (_("Funds in place (资金到位率, %)"), follow["funds_in_place_pct"]),
        (_("Producing (投产率, %)"), follow["producing_pct"]),
    ]


def follow_through_rows(report: dict) -> list[list[str]]:
    return [[label, number(value)] for label, value in follow_through_items(report)]


def report_title(report: dict) -> str:
    published = report.get("published") or {}
    if published.get("title"):
        return published["title"]
    return _("%(scope)s %(period)s investment attraction report") % {
        "scope": report["scope"]["name"],
        "period": report["period"]["label"],
    }


def definition_line(report: dict) -> str:
    definition = report["definition"]
    return _("Definition: %(name)s, version %(version)s.") % {
        "name": definition["name"],
        "version": definition["version"],
    }


def report_docx(report: dict) -> bytes:
    """The Word document of `report` (build_report's JSON, or a published one)."""
    document = Document()
    _page_setup(document)
    _add_fallback_fonts(document)
    _page_number(document)

    title = _paragraph(document, report_title(report), TITLE_FONT, SIZE_2)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact_lines(title, Pt(LINE.pt * 1.25))
    title.paragraph_format.space_after = LINE
    for text in report["bulletin"].split("\n"):
        if text.strip():
            _paragraph(document, text.strip(), BODY_FONT, SIZE_3, indent=True)

    sections: list[tuple[str, list]] = [
        (_("Headline figures"), [(None, headline_header(), headline_rows(report))])
    ]
    tables = [
        (title_, breakdown_header(), breakdown_rows(report[key]))
        for key, title_ in breakdowns()
        if report.get(key)
    ]
    sections.append((_("Breakdowns"), tables))
    sections.append(
        (
            _("Follow-through of the signed projects"),
            [(None, [_("Figure"), _("Rate")], follow_through_rows(report))],
        )
    )
    for i, (heading, tables_) in enumerate(sections):
        _paragraph(
            document, f"{chinese_number(i + 1)}、{heading}", HEADING1_FONT, SIZE_3, indent=True
        )
        for j, (subheading, header, rows) in enumerate(tables_):
            if subheading:
                _paragraph(
                    document,
                    f"（{chinese_number(j + 1)}）{subheading}",
                    HEADING2_FONT,
                    SIZE_3,
                    indent=True,
                )
            _table(document, header, rows)

    _paragraph(document, definition_line(report), BODY_FONT, SIZE_3, indent=True)
    published = report.get("published")
    if published:
        _paragraph(
            document,
            _("Published by %(who)s on %(when)s (published report no. %(id)s).")
            % {
                "who": published["published_by"],
                "when": published["published_at"][:10],
                "id": published["id"],
            },
            BODY_FONT,
            SIZE_3,
            indent=True,
        )
    else:
        _paragraph(
            document,
            _("Computed on %(when)s from the records; not a published report.")
            % {"when": report["generated_at"][:10]},
            BODY_FONT,
            SIZE_3,
            indent=True,
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

"""The report as an Excel workbook (XlsxWriter): the headline figures, then one sheet a breakdown.

Every sheet names the scope, the period and the definition version in its title rows; numbers
are numbers (counts whole, amounts and percents with one decimal), headers are Chinese, and each
sheet prints on A4 landscape with its header repeated on every page. It opens in WPS as in Excel.
"""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from .docx import (
    breakdown_header,
    breakdowns,
    definition_line,
    follow_through_items,
    headline_header,
    report_title,
)

A4 = 9  # XlsxWriter's paper code
INVALID_SHEET_CHARS = str.maketrans({c: "·" for c in "[]:*?/\\"})


def sheet_name(title: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    name = title.translate(INVALID_SHEET_CHARS)[:31]
    base, n = name, 2
    while name in used:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def headline_values(report: dict) -> list[tuple[str, object, object, object]]:
    """The headline rows as numbers: (figure, this period, last year, change %)."""
    signed, foreign, fai = report["signed"], report["foreign"], report["in_statistics"]
    rows = [
        (
            _("Signed above the threshold: projects"),
            signed["count"],
            signed["previous"]["count"],
            signed["count_yoy_pct"],
        ),
        (
            _("Signed above the threshold: investment (100 million yuan)"),
            signed["investment_yi"],
            signed["previous"]["investment_yi"],
            signed["investment_yoy_pct"],
        ),
    ]
    for item in report.get("by_category", []):
        figures = signed.get(item["key"], item)
        rows += [
            (
                _("of which %(category)s: projects") % {"category": item["name"]},
                item["count"],
                figures["previous"]["count"],
                figures["count_yoy_pct"],
            ),
            (
                _("of which %(category)s: investment (100 million yuan)")
                % {"category": item["name"]},
                item["investment_yi"],
                figures["previous"]["investment_yi"],
                figures["investment_yoy_pct"],
            ),
        ]
    rows += [
        (_("Foreign-funded projects"), foreign["count"], None, None),
        (
            _("Agreed foreign investment (100 million yuan)"),
            foreign["agreed_investment_yi"],
            None,
            None,
        ),
        (_("Foreign share (%)"), foreign["investment_share_pct"], None, None),
        (
            _("Newly in statistics (入库列统): projects"),
            fai["count"],
            fai["previous"]["count"],
            fai.get("count_yoy_pct"),
        ),
        (
            _("Newly in statistics (入库列统): investment (100 million yuan)"),
            fai["investment_yi"],
            fai["previous"]["investment_yi"],
            fai["investment_yoy_pct"],
        ),
    ]
    return rows


class _Book:
    def __init__(self, out, report: dict):
        self.book = xlsxwriter.Workbook(out, {"in_memory": True})
        self.report = report
        self.used: set[str] = set()
        add = self.book.add_format
        self.title = add({"bold": True, "font_size": 14, "font_name": "宋体"})
        self.meta = add({"font_size": 10, "font_color": "#555555", "font_name": "宋体"})
        self.header = add(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#E8EEF7",
                "font_name": "宋体",
            }
        )
        self.text = add({"border": 1, "font_name": "宋体"})
        self.count = add({"border": 1, "num_format": "0", "font_name": "宋体"})
        self.decimal = add({"border": 1, "num_format": "0.0", "font_name": "宋体"})
        self.empty = add({"border": 1, "align": "right", "font_name": "宋体"})

    def sheet(self, title: str, header: list[str], widths: list[int]):
        sheet = self.book.add_worksheet(sheet_name(title, self.used))
        sheet.set_landscape()
        sheet.set_paper(A4)
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.6, right=0.6, top=0.8, bottom=0.8)
        sheet.set_footer("&C— &P —")
        report = self.report
        sheet.write(0, 0, f"{report_title(report)}：{title}", self.title)
        sheet.write(
            1,
            0,
            f"{report['scope']['name']} · {report['period']['label']}"
            f"（{report['period']['start']}—{report['period']['end']}） · "
            + definition_line(report),
            self.meta,
        )
        for col, text in enumerate(header):
            sheet.write(3, col, text, self.header)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.repeat_rows(3)
        sheet.freeze_panes(4, 1)
        return sheet

    def value(self, sheet, row: int, col: int, value) -> None:
        if value is None:
            sheet.write_string(row, col, "—", self.empty)
        elif isinstance(value, int) and not isinstance(value, bool):
            sheet.write_number(row, col, value, self.count)
        else:
            sheet.write_number(row, col, value, self.decimal)


def report_xlsx(report: dict) -> bytes:
    """The workbook of `report` (build_report's JSON, or a published one)."""
    out = io.BytesIO()
    book = _Book(out, report)
    sheet = book.sheet(_("Headline figures"), headline_header(), [44, 14, 16, 14])
    row = 4
    for label, *values in headline_values(report):
        sheet.write_string(row, 0, label, book.text)
        for col, value in enumerate(values, start=1):
            book.value(sheet, row, col, value)
        row += 1
    row += 1
    for label, value in follow_through_items(report):
        sheet.write_string(row, 0, label, book.text)
        book.value(sheet, row, 1, value)
        row += 1
    sheet.write_string(row + 1, 0, report["bulletin"], book.meta)

    for key, title in breakdowns():
        rows = report.get(key) or []
        sheet = book.sheet(title, breakdown_header(), [30, 10, 14, 16, 14])
        for i, item in enumerate(rows, start=4):
            sheet.write_string(i, 0, str(item["name"]), book.text)
            for col, field in enumerate(
                ("count", "count_share_pct", "investment_yi", "investment_share_pct"), start=1
            ):
                book.value(sheet, i, col, item[field])
    book.book.close()
    return out.getvalue()

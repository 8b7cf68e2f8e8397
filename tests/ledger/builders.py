"""Ledgers in the shapes districts really send, built at test time (no binary fixtures)."""

from __future__ import annotations

import csv
import datetime
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook

from yinli.companies.uscc import generate_uscc

HEADER = [
    "序号",
    "项目名称",
    "投资方",
    "统一社会信用代码",
    "来源地",
    "总投资(万元)",
    "产业方向",
    "签约时间",
    "项目进度",
    "招商方式",
    "所属板块",
]


def a_uscc(seed: int) -> str:
    import random

    return generate_uscc(random.Random(seed))


# Valid credit codes (both check characters computed), fixed so that tests can name them.
USCC_A = a_uscc(1)
USCC_B = a_uscc(2)


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def messy_xlsx(path: Path, *, rows: list[list] | None = None) -> Path:
    """Title row, a note row, a merged two-row header with units, text amounts, dates in five
    formats, a blank row and a 合计 row — as a district's 台账 looks."""
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws["A1"] = "京口区2025年招商引资签约项目台账"
    ws.merge_cells("A1:L1")
    ws["A2"] = "填报单位：京口区商务局    单位：亿元"
    # Row 3/4: the two-row header.
    top = [
        "序号",
        "项目名称",
        "投资方",
        "来源地",
        "投资情况",
        None,
        "产业方向",
        "签约时间",
        "项目进度",
        "招商方式",
        "首谈人",
        "备注",
    ]
    sub = [
        None,
        None,
        None,
        None,
        "计划总投资(亿元)",
        "协议外资(万美元)",
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    ws.append([])  # placeholder for row 3 filled below
    for col, value in enumerate(top, start=1):
        ws.cell(row=3, column=col, value=value)
    for col, value in enumerate(sub, start=1):
        ws.cell(row=4, column=col, value=value)
    ws.merge_cells("E3:F3")
    for col in "ABCDGHIJKL":
        ws.merge_cells(f"{col}3:{col}4")
    data = rows if rows is not None else messy_rows()
    for offset, row in enumerate(data):
        for col, value in enumerate(row, start=1):
            ws.cell(row=5 + offset, column=col, value=value)
    wb.save(path)
    return path


def messy_rows() -> list[list]:
    return [
        # row 5: a plain row; amount a number in 亿元 (header), an Excel date
        [
            1,
            "年产5万吨锂电池材料项目",
            "江苏恒远新能源科技有限公司",
            "上海浦东",
            3.5,
            500,
            "新能源",
            datetime.date(2025, 3, 12),
            "已签约",
            "以商引商",
            "张三",
            "",
        ],
        # row 6: amount typed as text with its own unit; date "2025.4.8"
        [
            2,
            "高端医疗器械产业园项目",
            "深圳迈康医疗器械有限公司",
            "广东省深圳市南山区",
            "12,000万",
            None,
            "生物医药",
            "2025.4.8",
            "在谈",
            "驻点招商",
            "李四",
            "重点项目",
        ],
        # row 7: blank
        [None] * 12,
        # row 8: "2025年5月20日", amount "2亿"
        [
            3,
            "智能装备制造基地",
            "南京智造装备有限公司",
            "南京",
            "2亿",
            "",
            "智能装备",
            "2025年5月20日",
            "签约",
            "委托招商",
            "王五",
            None,
        ],
        # row 9: "2025/06/01", amount text "1.2"
        [
            4,
            "新材料研发中心",
            "杭州新材科技股份有限公司",
            "杭州",
            "1.2",
            None,
            "新材料",
            "2025/06/01",
            "正式签约",
            "中介招商",
            "赵六",
            None,
        ],
        # row 10: "2025-7" (a month), text amount "八千万元"
        [
            5,
            "现代物流园",
            "上海远航物流有限公司",
            "上海",
            "八千万元",
            None,
            "现代物流",
            "2025-7",
            "已签约",
            "活动招商",
            "钱七",
            None,
        ],
        # row 11: the 合计 row
        ["合计", None, None, None, "=SUM(E5:E10)", None, None, None, None, None, None, None],
    ]


def minimal_ods(path: Path, rows: list[list]) -> Path:
    """An OpenDocument spreadsheet written by hand (content.xml in a zip)."""

    def cell(value):
        if value is None or value == "":
            return "<table:table-cell/>"
        if isinstance(value, int | float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="台账">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path

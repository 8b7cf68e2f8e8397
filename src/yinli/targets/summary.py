"""The one-page monthly summary for leaders (Word and Excel).

What a leader reads about a month: the month's headline figures (the statistics report of the
month, with its bulletin), each district's targets against the schedule at the month's end, the
top and the bottom of the ranking for the year to date (under the default scheme), and the
districts whose report for the month was late. Everything comes from the code the pages use:
yinli.stats.report.build_report, yinli.targets.report and yinli.targets.scoring.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from yinli.core import scoping as core_scoping
from yinli.core.models import OrgKind, OrgUnit
from yinli.stats import docx as stats_docx
from yinli.stats.periods import Period, months_period
from yinli.stats.report import build_report, present

from . import scoping
from .report import progress_report
from .scoring import compute_ranking, late_reports
from .services import default_scheme

EDGE = 3  # districts shown at the top and at the bottom of the ranking


def monthly_summary(*, user, month: Period) -> dict:
    """The summary's content for `month`, JSON-ready (numbers rounded half up to 0.1)."""
    report = build_report(user=user, period=month)
    year_to_date = months_period(month.year, 1, month.year, month.number)
    progress = progress_report(user=user, year=month.year, on=month.end)
    districts = [row for row in progress["targets"] if row["unit"]["kind"] == OrgKind.DISTRICT]
    ranking = None
    scheme = default_scheme()
    if scheme is not None and scoping.sees_ranking(user):
        ranking = present(compute_ranking(scheme=scheme, period=year_to_date, user=user))
        rows = ranking["rows"]
        if len(rows) > 2 * EDGE:
            ranking["top"], ranking["bottom"] = rows[:EDGE], rows[-EDGE:]
        else:
            ranking["top"], ranking["bottom"] = rows, []
    late, _available = late_reports(start=month.start, end=month.end)
    names = dict(OrgUnit.objects.filter(kind=OrgKind.DISTRICT).values_list("pk", "short_name"))
    full = dict(OrgUnit.objects.filter(kind=OrgKind.DISTRICT).values_list("pk", "name"))
    own = scoping.own_district_id(user)
    if not core_scoping.sees_everything(user):
        late = [item for item in late if item["district_id"] == own]
    return present(
        {
            "title": _("%(scope)s %(month)s: targets, progress and ranking")
            % {"scope": report["scope"]["name"], "month": month.label()},
            "month": month.as_dict(),
            "year_to_date": year_to_date.as_dict(),
            "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            "report": report,
            "progress": districts,
            "ranking": ranking,
            "late": [
                {
                    **item,
                    "district": names.get(item["district_id"]) or full.get(item["district_id"]),
                }
                for item in late
            ],
        }
    )


def _n(value) -> str:
    return stats_docx.number(value)


def progress_table(data: dict) -> tuple[list[str], list[list[str]]]:
    header = [
        _("District"),
        _("Figure"),
        _("Annual target"),
        _("Actual"),
        _("Schedule (%)"),
        _("Done (%)"),
        _("Points ahead"),
    ]
    rows = [
        [
            row["unit"]["name"],
            row["figure_label"],
            _n(row["annual"]),
            _n(row["actual"]),
            _n(row["schedule_pct"]),
            _n(row["done_pct"]),
            _n(row["ahead_points"]),
        ]
        for row in data["progress"]
    ]
    return header, rows


def progress_grid(data: dict) -> tuple[list[str], list[list[str]]]:
    """One row a district, one column a figure: "done%（±points）" — the page's short form."""
    figures: list[tuple[str, str]] = []
    districts: dict[str, dict] = {}
    for row in data["progress"]:
        if (row["figure"], row["figure_label"]) not in figures:
            figures.append((row["figure"], row["figure_label"]))
        districts.setdefault(row["unit"]["name"], {})[row["figure"]] = row
    header = [_("District")] + [label for _key, label in figures]
    rows = []
    for name, cells in districts.items():
        line = [name]
        for key, _label in figures:
            cell = cells.get(key)
            if cell is None or cell["done_pct"] is None:
                line.append("—")
                continue
            ahead = cell["ahead_points"]
            line.append(f"{_n(cell['done_pct'])}%（{'+' if ahead > 0 else ''}{_n(ahead)}）")
        rows.append(line)
    return header, rows


def ranking_table(rows: list[dict]) -> list[list[str]]:
    return [[str(row["rank"]), row["district"]["name"], _n(row["score"])] for row in rows]


def late_lines(data: dict) -> list[str]:
    return [
        _("%(district)s: report %(period)s, %(days)s day(s) late")
        % {"district": item["district"], "period": item["period"], "days": item["days_late"]}
        for item in data["late"]
    ]


def summary_docx(data: dict) -> bytes:
    """One page in the official layout of stats.docx (fonts, margins, page number)."""
    document = Document()
    stats_docx._page_setup(document)
    stats_docx._add_fallback_fonts(document)
    stats_docx._page_number(document)
    title = stats_docx._paragraph(document, data["title"], stats_docx.TITLE_FONT, stats_docx.SIZE_2)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    body = stats_docx.BODY_FONT
    small = stats_docx.SIZE_SMALL_4

    def heading(n: int, text: str) -> None:
        stats_docx._paragraph(
            document,
            f"{stats_docx.chinese_number(n)}、{text}",
            stats_docx.HEADING1_FONT,
            stats_docx.SIZE_3,
            indent=True,
        )

    heading(1, _("Headline figures of the month"))
    for text in data["report"]["bulletin"].split("\n"):
        if text.strip():
            stats_docx._paragraph(document, text.strip(), body, stats_docx.SIZE_3, indent=True)
    stats_docx._table(
        document,
        stats_docx.headline_header(),
        stats_docx.headline_rows(data["report"])[:2]
        + stats_docx.headline_rows(data["report"])[-3:],
    )
    heading(2, _("Targets against the schedule at %(on)s") % {"on": data["month"]["end"]})
    header, rows = progress_grid(data)
    if rows:
        schedule = {_n(row["schedule_pct"]) for row in data["progress"]}
        stats_docx._paragraph(
            document,
            _("Done (%%) and points ahead (+) or behind (−) the schedule (%(schedule)s%%).")
            % {"schedule": "、".join(sorted(schedule))},
            body,
            small,
            indent=True,
        )
        stats_docx._table(document, header, rows)
    else:
        stats_docx._paragraph(document, _("No targets set."), body, small, indent=True)
    heading(3, _("Ranking, %(period)s") % {"period": data["year_to_date"]["label"]})
    ranking = data["ranking"]
    if ranking:
        rank_header = [_("Rank"), _("District"), _("Score")]
        stats_docx._table(document, rank_header, ranking_table(ranking["top"]))
        if ranking["bottom"]:
            stats_docx._paragraph(document, _("Bottom of the ranking"), body, small, indent=True)
            stats_docx._table(document, rank_header, ranking_table(ranking["bottom"]))
    else:
        stats_docx._paragraph(document, _("No ranking."), body, small, indent=True)
    heading(4, _("Late reports"))
    lines = late_lines(data) or [_("Every report of the month was on time.")]
    for line in lines:
        stats_docx._paragraph(document, line, body, stats_docx.SIZE_3, indent=True)
    note = stats_docx._paragraph(
        document,
        _("Computed on %(when)s from the records; %(definition)s")
        % {
            "when": data["generated_at"][:10],
            "definition": stats_docx.definition_line(data["report"]),
        },
        body,
        small,
    )
    note.paragraph_format.space_before = Pt(6)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def summary_xlsx(data: dict) -> bytes:
    """The same content on one sheet, printable on one A4 page."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Monthly summary")[:31]
    bold = Font(bold=True, name="宋体")
    plain = Font(name="宋体")
    fill = PatternFill("solid", fgColor="E8EEF7")
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    row = 1
    sheet.cell(row=row, column=1, value=data["title"]).font = Font(bold=True, size=14, name="宋体")
    row += 2

    def section(title: str) -> None:
        nonlocal row
        sheet.cell(row=row, column=1, value=title).font = bold
        row += 1

    def table(header: list[str], rows: list[list]) -> None:
        nonlocal row
        for col, text in enumerate(header, start=1):
            cell = sheet.cell(row=row, column=col, value=text)
            cell.font, cell.fill, cell.border = bold, fill, border
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        row += 1
        for values in rows:
            for col, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=col, value=value)
                cell.font, cell.border = plain, border
                if isinstance(value, float):
                    cell.number_format = "0.0"
            row += 1
        row += 1

    section(_("Headline figures of the month"))
    sheet.cell(row=row, column=1, value=data["report"]["bulletin"]).font = plain
    row += 1
    from yinli.stats.xlsx import headline_values

    values = headline_values(data["report"])
    table(stats_docx.headline_header(), [list(v) for v in values[:2] + values[-3:]])
    section(_("Targets against the schedule at %(on)s") % {"on": data["month"]["end"]})
    header, _rows = progress_table(data)
    table(
        header,
        [
            [
                r["unit"]["name"],
                r["figure_label"],
                r["annual"],
                r["actual"],
                r["schedule_pct"],
                r["done_pct"],
                r["ahead_points"],
            ]
            for r in data["progress"]
        ],
    )
    section(_("Ranking, %(period)s") % {"period": data["year_to_date"]["label"]})
    ranking = data["ranking"]
    if ranking:
        rank_rows = ranking["top"] + ranking["bottom"]
        table(
            [_("Rank"), _("District"), _("Score")],
            [[r["rank"], r["district"]["name"], r["score"]] for r in rank_rows],
        )
    section(_("Late reports"))
    for line in late_lines(data) or [_("Every report of the month was on time.")]:
        sheet.cell(row=row, column=1, value=line).font = plain
        row += 1
    for col, width in enumerate([16, 34, 12, 12, 12, 12, 12], start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

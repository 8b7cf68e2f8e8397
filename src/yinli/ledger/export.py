"""Exporting the project ledger to .xlsx and .csv through export templates.

    export = LedgerExport(user=analyst, data=request.GET, template=standard_template(), unit="yi")
    export.write_xlsx(path)              # or: for line in export.csv_lines(): …
    log_export(export, fmt="xlsx", file_name="台账.xlsx")

What is exported is always ``scoping.visible_projects(user)`` narrowed by the project list's own
:class:`~yinli.projects.filters.ProjectFilter`: a district's forged filter still finds only its own
rows. Columns come from an :class:`~yinli.ledger.models.ExportTemplate` (data an administrator
edits); :data:`EXPORT_FIELDS` is the list of what a column may show.

The .xlsx sheet: a title row, the reporting unit with the as-of date and the units, the header, a
合计 row (totals computed by the database) and, when the template asks, a 小计 row before each
district's projects. Amounts are numbers in 万元 or 亿元, dates real dates; A4 landscape (or as the
template says), the header repeated on every printed page, the user and time in the footer and in
the document properties. XlsxWriter's ``constant_memory`` mode writes row by row, so 100,000 rows
never sit in memory. Text a spreadsheet would run as a formula gets a leading apostrophe, in the
.xlsx as in the .csv (which starts with a UTF-8 BOM for Excel and WPS).

The importer reads such a file back unchanged: the title and unit rows are skipped, the headers are
the import's column names, the 合计/小计 rows are skipped, the amounts carry their unit in the header.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.models import OrgKind, OrgUnit

from .models import AmountUnit, ExportFormat, ExportLog, ExportTemplate, Orientation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STANDARD = "standard"
ProgressCallback = Callable[[int, int | None], None]


def neutralize(value: object) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _zh(label: object) -> str:
    """The Chinese word of a choice label: "Signed (签约)" → "签约"; a translated "签约" stays."""
    text = str(label)
    found = re.search(r"\(([^()]+)\)\s*$", text)
    return found.group(1) if found else text


# -- the fields a column may show -------------------------------------------------------------


@dataclass(frozen=True)
class ExportField:
    key: str
    label: str  # the default header, as the city's ledgers say it
    kind: str  # seq text region choice amount foreign date month decimal int
    get: Callable
    summed: bool = False
    width: int = 12


def _name(record) -> str:
    return record.name if record is not None else ""


_FIELDS = [
    ExportField("seq", "序号", "seq", lambda p: None, width=6),
    ExportField("name", "项目名称", "text", lambda p: p.name, width=36),
    ExportField("company", "投资方", "text", lambda p: _name(p.company), width=30),
    ExportField("uscc", "统一社会信用代码", "text", lambda p: p.company.uscc or "" if p.company else "", width=20),
    ExportField("signing_region", "来源地", "region", lambda p: p.signing_region_id, width=18),
    ExportField("source", "来源地(实控方优先)", "region", lambda p: p.controller_region_id or p.signing_region_id, width=18),
    ExportField("controller_name", "实控方", "text", lambda p: p.controller_name, width=24),
    ExportField("controller_region", "实控方所在地", "region", lambda p: p.controller_region_id, width=18),
    ExportField("total_investment", "总投资(亿元)", "amount", lambda p: p.total_investment, summed=True),
    ExportField("foreign_investment", "协议外资(万美元)", "foreign", lambda p: p.foreign_investment, summed=True),
    ExportField("foreign_currency", "外资币种", "text", lambda p: p.foreign_currency if p.foreign_investment is not None else "", width=8),
    ExportField("industry", "产业类别", "text", lambda p: _name(p.industry), width=18),
    ExportField("category", "项目类别", "choice", lambda p: p.category, width=8),
    ExportField("kind", "项目性质", "choice", lambda p: p.kind, width=10),
    ExportField("signed_on", "签约时间", "date", lambda p: p.first_signed_on, width=12),
    ExportField("district", "落户板块", "text", lambda p: p.district.name, width=14),
    ExportField("responsible_unit", "责任单位", "text", lambda p: _name(p.responsible_unit), width=18),
    ExportField("stage", "项目进度", "choice", lambda p: p.stage, width=10),
    ExportField("stage_on", "进度日期", "date", lambda p: p.stage_on, width=12),
    ExportField("status", "项目状态", "choice", lambda p: p.status, width=10),
    ExportField("first_contact", "首谈人", "text", lambda p: p.first_contact, width=10),
    ExportField("responsible_person", "责任人", "text", lambda p: p.responsible_person, width=10),
    ExportField("channel", "招商方式", "text", lambda p: _name(p.channel), width=12),
    ExportField("introducer", "引荐人", "text", lambda p: p.introducer, width=12),
    ExportField("task_force", "项目专班", "text", lambda p: p.task_force, width=14),
    ExportField("linked_leader", "挂钩领导", "text", lambda p: p.linked_leader, width=10),
    ExportField("fai_code", "投资项目代码", "text", lambda p: p.fai_code, width=26),
    ExportField("fai_on", "入库月份", "month", lambda p: p.fai_on, width=10),
    ExportField("land_mu", "用地(亩)", "decimal", lambda p: p.land_mu, summed=True, width=10),
    ExportField("jobs", "新增就业", "int", lambda p: p.jobs, summed=True, width=10),
    ExportField("expected_output", "预计年产值(亿元)", "amount", lambda p: p.expected_output, summed=True),
    ExportField("expected_tax", "预计税收(亿元)", "amount", lambda p: p.expected_tax, summed=True),
    ExportField("notes", "备注", "text", lambda p: p.notes, width=30),
]  # fmt: skip
EXPORT_FIELDS: dict[str, ExportField] = {f.key: f for f in _FIELDS}

STANDARD_COLUMNS = [
    {"field": field, "header": header, "width": None, "unit": ""}
    for field, header in [
        ("seq", "序号"),
        ("name", "项目名称"),
        ("company", "投资方"),
        ("signing_region", "来源地"),
        ("total_investment", "总投资(亿元)"),
        ("foreign_investment", "协议外资(万美元)"),
        ("industry", "产业类别"),
        ("district", "落户板块"),
        ("signed_on", "签约时间"),
        ("stage", "项目进度"),
        ("first_contact", "首谈人"),
        ("channel", "招商方式"),
    ]
]
STANDARD_TITLE = "招商引资项目台账"

UNIT_LABELS = {AmountUnit.WAN: "万元", AmountUnit.YI: "亿元"}
UNIT_DIVISORS = {AmountUnit.WAN: Decimal(1), AmountUnit.YI: Decimal(10000)}
_UNIT_IN_HEADER = re.compile(r"[(（]\s*(万元|亿元)\s*[)）]")


def export_header(column: dict, unit_label: str) -> str:
    """A column's header as exported: an amount's header names the unit, "总投资(亿元)"."""
    field = EXPORT_FIELDS.get(column.get("field"))
    header = " ".join(str(column.get("header") or "").split()) or (field.label if field else "")
    if field is not None and field.kind == "amount" and unit_label:
        header = f"{_UNIT_IN_HEADER.sub('', header).strip()}({unit_label})"
    return header


def standard_template() -> ExportTemplate:
    """The city's standard ledger (seeded by a migration; made again if someone deleted it)."""
    template, _created = ExportTemplate.objects.get_or_create(
        name=STANDARD,
        defaults={
            "title": STANDARD_TITLE,
            "columns": STANDARD_COLUMNS,
            "amount_unit": AmountUnit.YI,
            "subtotals": True,
            "built_in": True,
            "sort_order": 0,
        },
    )
    return template


def template_named(name: str | None) -> ExportTemplate:
    if not name:
        return standard_template()
    found = ExportTemplate.objects.filter(name=name).first()
    if found is None and name == STANDARD:
        return standard_template()
    if found is None:
        known = "、".join(ExportTemplate.objects.values_list("name", flat=True)) or STANDARD
        raise ValidationError(
            _("There is no export template called %(name)s (known: %(known)s).")
            % {"name": name, "known": known},
            code="unknown_template",
        )
    return found


def validate_columns(columns: list[dict]) -> list[dict]:
    """Checks a template's columns; returns them cleaned. Errors name the column by position."""
    if not columns:
        raise ValidationError(_("A template needs at least one column."), code="no_columns")
    cleaned = []
    for position, column in enumerate(columns, start=1):
        key = str(column.get("field") or "").strip()
        field = EXPORT_FIELDS.get(key)
        if field is None:
            raise ValidationError(
                _("Column %(position)s: there is no field called “%(field)s”.")
                % {"position": position, "field": key},
                code="unknown_field",
            )
        unit = str(column.get("unit") or "").strip()
        if unit and (field.kind != "amount" or unit not in UNIT_LABELS.values()):
            raise ValidationError(
                _(
                    "Column %(position)s (%(header)s): the unit “%(unit)s” is only for "
                    "amounts in yuan, and must be 万元 or 亿元."
                )
                % {
                    "position": position,
                    "header": column.get("header") or field.label,
                    "unit": unit,
                },
                code="bad_unit",
            )
        width = column.get("width")
        if width not in (None, ""):
            try:
                width = int(width)
            except (TypeError, ValueError):
                width = -1
            if not 1 <= width <= 100:
                raise ValidationError(
                    _(
                        "Column %(position)s (%(header)s): the width “%(width)s” must be a "
                        "whole number from 1 to 100."
                    )
                    % {
                        "position": position,
                        "header": column.get("header") or field.label,
                        "width": column.get("width"),
                    },
                    code="bad_width",
                )
        else:
            width = None
        header = " ".join(str(column.get("header") or "").split()) or field.label
        cleaned.append({"field": key, "header": header[:100], "width": width, "unit": unit})
    return cleaned


# -- an export --------------------------------------------------------------------------------


@dataclass
class _Column:
    field: ExportField
    header: str
    width: int
    unit: str  # "wan" / "yi" for amounts
    index: int


def _unit_code(unit: str | None, default: str) -> str:
    if unit in ("万元", AmountUnit.WAN):
        return AmountUnit.WAN
    if unit in ("亿元", AmountUnit.YI):
        return AmountUnit.YI
    return default


def _amount_text(value: Decimal, unit: str) -> str:
    """Exact, but the usual 4 (亿元) or 2 (万元) decimals when those hold it: "15.0000"."""
    number = value / UNIT_DIVISORS[unit]
    places = Decimal("0.0001") if unit == AmountUnit.YI else Decimal("0.01")
    rounded = number.quantize(places)
    if rounded == number:
        return f"{rounded}"
    return f"{number.normalize():f}"


def reporting_unit_of(user) -> str:
    unit = getattr(user, "org_unit", None)
    if unit is not None and unit.district_id and unit.district_id != unit.pk:
        return f"{unit.district.name}{unit.name}"
    if unit is not None:
        return unit.name
    city = OrgUnit.objects.filter(kind=OrgKind.CITY).order_by("pk").first()
    return city.name if city else ""


def filtered_projects(user, data) -> QuerySet:
    """What the user may see, narrowed by the project list's filter (``data`` is its query)."""
    from yinli.projects.filters import ProjectFilter

    queryset = scoping.visible_projects(user)
    filterset = ProjectFilter(data, queryset=queryset)
    if not filterset.is_valid():
        problems = "; ".join(
            f"{filterset.form.fields[name].label if name in filterset.form.fields else name}："
            + " ".join(str(m) for m in messages)
            for name, messages in filterset.errors.items()
        )
        raise ValidationError(
            _("The filter cannot be used: %(problems)s") % {"problems": problems},
            code="bad_filter",
        )
    return filterset.qs


class LedgerExport:
    """One export: the rows a user may see under a filter, shaped by a template."""

    def __init__(
        self,
        *,
        user,
        data: QueryDict | dict | None = None,
        template: ExportTemplate | None = None,
        unit: str | None = None,
        as_of: datetime.date | None = None,
        queryset: QuerySet | None = None,
    ):
        self.user = user
        self.data = data if data is not None else QueryDict()
        self.template = template or standard_template()
        self.unit = _unit_code(unit, self.template.amount_unit)
        self.now = timezone.localtime()
        self.as_of = as_of or self.now.date()
        base = queryset if queryset is not None else filtered_projects(user, self.data)
        self.queryset = base.order_by(
            "district__sort_order", "district__code", "first_signed_on", "pk"
        )
        self.columns = self._columns()
        self.subtotals = bool(self.template.subtotals) and any(c.field.summed for c in self.columns)
        self.reporting_unit = reporting_unit_of(user)
        self.rows_written = 0
        self._regions: dict[int, str] = {}
        self._choices: dict[tuple, str] = {}

    # -- columns ------------------------------------------------------------------------
    def _columns(self) -> list[_Column]:
        columns = []
        for index, spec in enumerate(validate_columns(list(self.template.columns))):
            field = EXPORT_FIELDS[spec["field"]]
            unit = _unit_code(spec["unit"], self.unit) if field.kind == "amount" else ""
            header = export_header(spec, UNIT_LABELS[unit] if unit else "")
            width = spec["width"] or field.width
            columns.append(_Column(field, header, width, unit, index))
        return columns

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def query_string(self) -> str:
        if isinstance(self.data, QueryDict):
            return self.data.urlencode()
        plain = QueryDict(mutable=True)
        for key, value in self.data.items():
            if isinstance(value, list | tuple):
                plain.setlist(key, [str(v) for v in value])
            elif value not in (None, ""):
                plain[key] = str(value)
        return plain.urlencode()

    @property
    def units_note(self) -> str:
        units = []
        for column in self.columns:
            kind = column.field.kind
            if kind == "amount":
                units.append(UNIT_LABELS[column.unit])
            elif kind == "foreign":
                units.append("万美元")
        return "、".join(dict.fromkeys(units))

    # -- the numbers -------------------------------------------------------------------
    def _sums(self) -> dict:
        sums = {"count": Count("pk")}
        for column in self.columns:
            key = column.field.key
            if not column.field.summed:
                continue
            if column.field.kind == "foreign":
                sums[key] = Sum(key, filter=Q(foreign_currency="USD"))
            else:
                sums[key] = Sum(key)
        return sums

    def count(self) -> int:
        return self.queryset.count()

    def totals(self) -> dict:
        """The totals row, aggregated by the database."""
        return self.queryset.order_by().aggregate(**self._sums())

    def district_totals(self) -> dict[int, dict]:
        rows = self.queryset.order_by().values("district_id").annotate(**self._sums())
        return {row["district_id"]: row for row in rows}

    def _value(self, column: _Column, project):
        field = column.field
        value = field.get(project)
        if value is None or value == "":
            return None
        if field.kind == "amount":
            return Decimal(value) / UNIT_DIVISORS[column.unit]
        if field.kind == "region":
            return self._region_name(value)
        if field.kind == "choice":
            key = (field.key, value)
            if key not in self._choices:
                from yinli.projects.models import Project

                choices = dict(Project._meta.get_field(field.key).flatchoices)
                self._choices[key] = _zh(choices.get(value, value))
            return self._choices[key]
        if field.kind == "foreign":
            if project.foreign_currency != "USD":
                from yinli.web.money import CURRENCY_WORDS

                word = CURRENCY_WORDS.get(project.foreign_currency, project.foreign_currency)
                return f"{Decimal(value).normalize():f}万{word}"
            return Decimal(value)
        return value

    def _region_name(self, pk: int) -> str:
        """A region's full name, looked up once per export (full_name walks up the tree)."""
        if pk not in self._regions:
            from yinli.core.models import Region

            region = (
                Region.objects.select_related("city__province", "province", "parent")
                .filter(pk=pk)
                .first()
            )
            self._regions[pk] = region.full_name if region is not None else ""
        return self._regions[pk]

    def _total_value(self, column: _Column, sums: dict):
        value = sums.get(column.field.key)
        if value is None:
            return None
        if column.field.kind == "amount":
            return Decimal(value) / UNIT_DIVISORS[column.unit]
        return value

    def items(self, progress: ProgressCallback | None = None) -> Iterator[tuple[str, object, list]]:
        """("total", None, cells), then ("subtotal", district, cells) and ("row", n, cells)."""
        total = self.count()
        yield "total", total, self._summary_cells("合计", self.totals(), f"共{total}个项目")
        per_district = self.district_totals() if self.subtotals else {}
        current = None
        queryset = self.queryset.select_related(
            "company",
            "industry",
            "district",
            "channel",
            "responsible_unit",
        )
        for number, project in enumerate(queryset.iterator(chunk_size=2000), start=1):
            if self.subtotals and project.district_id != current:
                current = project.district_id
                sums = per_district.get(current, {})
                label = f"{project.district.name}（{sums.get('count', 0)}个项目）"
                yield "subtotal", project.district, self._summary_cells("小计", sums, label)
            yield (
                "row",
                number,
                [
                    number if c.field.kind == "seq" else self._value(c, project)
                    for c in self.columns
                ],
            )
            self.rows_written = number
            if progress and number % 1000 == 0:
                progress(number, total)
        if progress:
            progress(self.rows_written, total)

    def _summary_cells(self, word: str, sums: dict, label: str) -> list:
        # 合计 / 小计 in the first column: the importer skips such rows.
        cells: list = [None] * len(self.columns)
        cells[0] = word
        for column in self.columns[1:]:
            if column.field.kind == "text":
                cells[column.index] = label
                break
        for column in self.columns:
            if column.field.summed and column.index != 0:
                cells[column.index] = self._total_value(column, sums)
        return cells

    # -- .csv ----------------------------------------------------------------------------
    def csv_lines(self, progress: ProgressCallback | None = None) -> Iterator[str]:
        """The CSV as text pieces: a BOM, the header, then one line per project (no title rows,
        no totals: a CSV is read by programs)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def line(cells) -> str:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(cells)
            return buffer.getvalue()

        yield "\ufeff"
        yield line(self.headers)
        for kind, _number, cells in self.items(progress):
            if kind != "row":
                continue
            yield line([self._csv_cell(c, v) for c, v in zip(self.columns, cells, strict=True)])

    def _csv_cell(self, column: _Column, value) -> str:
        if value is None:
            return ""
        kind = column.field.kind
        if kind == "amount" and isinstance(value, Decimal):
            return _amount_text(value * UNIT_DIVISORS[column.unit], column.unit)
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        if kind == "month" and isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, int):
            return str(value)
        return neutralize(value)

    # -- .xlsx ---------------------------------------------------------------------------
    def write_xlsx(
        self, target: Path | str | io.BytesIO, progress: ProgressCallback | None = None
    ) -> int:
        """Write the workbook; returns the number of projects. Row by row (constant memory)."""
        with translation.override(settings.LANGUAGE_CODE):
            return self._write_xlsx(target, progress)

    def _write_xlsx(self, target, progress) -> int:
        import xlsxwriter

        book = xlsxwriter.Workbook(
            target if not isinstance(target, Path) else str(target),
            {"constant_memory": True, "in_memory": False, "strings_to_formulas": False,
             "strings_to_urls": False, "strings_to_numbers": False},
        )  # fmt: skip
        user_name = _user_label(self.user)
        stamp = self.now.strftime("%Y-%m-%d %H:%M")
        title = self.template.title or STANDARD_TITLE
        book.set_properties(
            {
                "title": title,
                "subject": _("Project ledger"),
                "author": user_name,
                "manager": user_name,
                "company": self.reporting_unit,
                "created": self.now.replace(tzinfo=None),
                "comments": _("Exported by %(user)s at %(time)s; filter: %(query)s")
                % {"user": user_name, "time": stamp, "query": self.query_string or "-"},
            }
        )
        sheet = book.add_worksheet(_sheet_name(title))
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        boxed = {**base, "border": 1}
        props = {
            "header": {**boxed, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9E1F2"},
            "text": {**boxed, "text_wrap": True},
            "seq": {**boxed, "align": "center"},
            "date": {**boxed, "num_format": "yyyy-mm-dd", "align": "center"},
            "month": {**boxed, "num_format": "yyyy-mm", "align": "center"},
            "int": {**boxed, "num_format": "#,##0"},
            "decimal": {**boxed, "num_format": "#,##0.00"},
            "wan": {**boxed, "num_format": "#,##0.00"},
            "yi": {**boxed, "num_format": "#,##0.0000"},
            "foreign": {**boxed, "num_format": "#,##0.00"},
        }  # fmt: skip
        formats = {key: book.add_format(value) for key, value in props.items()}
        summary = {
            key: book.add_format({**value, "bold": True, "bg_color": "#F2F2F2"})
            for key, value in props.items()
        }
        title_format = book.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        note_format = book.add_format({**base, "align": "left"})
        last = len(self.columns) - 1
        for column in self.columns:
            sheet.set_column(column.index, column.index, column.width)
        if self.template.orientation == Orientation.PORTRAIT:
            sheet.set_portrait()
        else:
            sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(2)
        sheet.set_footer(
            "&L"
            + _footer_text(_("Exported by %(user)s") % {"user": user_name})
            + "&C"
            + _footer_text(stamp)
            + "&R"
            + _("Page &P of &N"),
        )
        sheet.freeze_panes(4, 0)

        if last > 0:
            sheet.merge_range(0, 0, 0, last, title, title_format)
        else:
            sheet.write_string(0, 0, title, title_format)
        sheet.set_row(0, 28)
        note = _("Reporting unit: %(unit)s    As of: %(date)s    Amounts in: %(units)s") % {
            "unit": self.reporting_unit,
            "date": f"{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日",
            "units": self.units_note or "-",
        }
        if last > 0:
            sheet.merge_range(1, 0, 1, last, note, note_format)
        else:
            sheet.write_string(1, 0, note, note_format)
        sheet.write_row(2, 0, self.headers, formats["header"])
        row = 3
        for kind, _number, cells in self.items(progress):
            styles = summary if kind != "row" else formats
            for column, value in zip(self.columns, cells, strict=True):
                self._write_cell(sheet, row, column, value, styles)
            row += 1
        book.close()
        return self.rows_written

    def _write_cell(self, sheet, row: int, column: _Column, value, styles) -> None:
        kind = column.field.kind
        if kind == "amount":
            style = styles[column.unit]
        elif kind in styles:
            style = styles[kind]
        else:
            style = styles["text"]
        if value is None:
            sheet.write_blank(row, column.index, None, style)
        elif isinstance(value, str):
            sheet.write_string(
                row, column.index, neutralize(value), styles["text"] if kind != "seq" else style
            )
        elif isinstance(value, bool):
            sheet.write_string(row, column.index, "是" if value else "否", styles["text"])
        elif isinstance(value, datetime.date):
            sheet.write_datetime(
                row, column.index, datetime.datetime.combine(value, datetime.time()), style
            )
        else:
            sheet.write_number(row, column.index, float(value), style)


def _sheet_name(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "", title).strip("'") or "台账"
    return cleaned[:31]


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")


def _user_label(user) -> str:
    if user is None:
        return ""
    full = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    return f"{full}（{user.get_username()}）" if full else user.get_username()


# -- the log ----------------------------------------------------------------------------------


def log_export(export: LedgerExport, *, fmt: str, file_name: str, source: str = "web") -> ExportLog:
    user = export.user
    unit = getattr(user, "org_unit", None)
    return ExportLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        district=unit.district if unit is not None and unit.district_id else None,
        created_at=timezone.now(),
        template=export.template if export.template.pk else None,
        template_name=str(export.template)[:200],
        query=export.query_string,
        row_count=export.rows_written,
        format=fmt,
        unit=export.unit,
        file_name=file_name[:255],
        source=source,
    )


def visible_export_logs(user) -> QuerySet:
    """City roles read the whole log; a district its own; anyone else the exports they made."""
    logs = ExportLog.objects.select_related("user", "district", "template")
    if not scoping._active(user):
        return logs.none()
    if scoping.sees_everything(user):
        return logs
    unit = user.org_unit
    if unit is not None and unit.district_id:
        return logs.filter(Q(district_id=unit.district_id) | Q(user=user))
    return logs.filter(user=user)


def export_file_name(export: LedgerExport, fmt: str) -> str:
    title = _sheet_name(export.template.title or STANDARD_TITLE)
    return f"{title}-{export.as_of:%Y%m%d}-{export.now:%H%M}.{fmt}"


__all__ = [
    "EXPORT_FIELDS",
    "ExportFormat",
    "LedgerExport",
    "log_export",
    "neutralize",
    "standard_template",
    "template_named",
    "validate_columns",
    "visible_export_logs",
]

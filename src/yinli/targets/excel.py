"""Targets to and from Excel (openpyxl): one row a target, the header naming each column.

The export is the import's template: export a year, change the numbers, import it back. An
import is all or nothing: every problem is reported with its row (as the spreadsheet shows it),
column and value, and nothing is saved unless every row is right.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yinli.core.models import OrgUnit
from yinli.core.services import PermissionDeniedError
from yinli.stats.definitions import get_definition

from .figures import FIGURES, figure_label
from .models import Breakdown, Target
from .scoping import may_set_targets
from .services import TARGET_UNIT_KINDS, target_save, validate_target

MONTHS = [f"{m}月" for m in range(1, 13)]
QUARTERS = ["一季度", "二季度", "三季度", "四季度"]


COLUMNS = [
    ("year", gettext_noop("Year")),
    ("unit_code", gettext_noop("Unit code")),
    ("unit_name", gettext_noop("Unit")),
    ("figure", gettext_noop("Figure code")),
    ("figure_label", gettext_noop("Figure")),
    ("annual", gettext_noop("Annual target")),
    ("breakdown", gettext_noop("Breakdown")),
    ("definition", gettext_noop("Definition version")),
    *[(f"m{i}", name) for i, name in enumerate(MONTHS, start=1)],
    *[(f"q{i}", name) for i, name in enumerate(QUARTERS, start=1)],
    ("note", gettext_noop("Note")),
]


def _columns() -> list[tuple[str, str]]:
    """(key, header) of every column, in order, the headers in the user's language."""
    return [(key, _(header)) for key, header in COLUMNS]


def _headers() -> dict[str, str]:
    """Header text → column key, in the user's language and in English (either reads back)."""
    found = {header: key for key, header in COLUMNS}
    found.update({header: key for key, header in _columns()})
    return found


def _number(value: Decimal):
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def export_targets(targets) -> bytes:
    """The workbook of `targets` (already scoped by the caller)."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Annual targets")
    columns = _columns()
    header_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EEF7")
    for col, (_key, header) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font, cell.fill = header_font, fill
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    breakdown_names = dict(Breakdown.choices)
    for row, target in enumerate(targets, start=2):
        values = {
            "year": target.year,
            "unit_code": target.unit.code,
            "unit_name": target.unit.name,
            "figure": target.figure,
            "figure_label": figure_label(target.figure),
            "annual": _number(target.annual),
            "breakdown": str(breakdown_names[target.breakdown]),
            "definition": target.definition.version,
            "note": target.note,
        }
        prefix = {"months": "m", "quarters": "q"}.get(target.breakdown)
        if prefix:
            for i, part in enumerate(target.parts, start=1):
                values[f"{prefix}{i}"] = _number(Decimal(part))
        for col, (key, _header) in enumerate(columns, start=1):
            if values.get(key) not in (None, ""):
                sheet.cell(row=row, column=col, value=values[key])
    widths = {"unit_name": 28, "figure_label": 30, "figure": 26, "breakdown": 12, "note": 30}
    for col, (key, _header) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(key, 10)
    sheet.freeze_panes = "D2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _breakdown_of(text: str) -> str | None:
    value = (text or "").strip()
    if not value:
        return Breakdown.EVEN_MONTHS
    for code, label in Breakdown.choices:
        if value in (code, str(label)):
            return code
    return None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(data: bytes) -> list[tuple[int, dict]]:
    """(spreadsheet row number, {column key: text}) of every non-empty row."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a file that is not xlsx
        raise ValidationError(
            _("The file cannot be read as an Excel workbook (.xlsx): %(error)s") % {"error": error}
        ) from error
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    by_header = _headers()
    keys = [by_header.get(_cell_text(h)) for h in header]
    missing = [
        title
        for key, title in _columns()
        if key in ("year", "figure", "annual") and key not in keys
    ]
    if "unit_code" not in keys and "unit_name" not in keys:
        missing.append(_("Unit code"))
    if missing:
        raise ValidationError(
            _("Row 1 lacks the column(s) %(columns)s; export the targets to get the template.")
            % {"columns": "、".join(missing)}
        )
    found = []
    for number, values in enumerate(rows, start=2):
        row = {key: _cell_text(v) for key, v in zip(keys, values, strict=False) if key}
        if any(row.values()):
            found.append((number, row))
    book.close()
    return found


def import_targets(*, data: bytes, by, dry_run: bool = False) -> ImportResult:
    """Save every row of the workbook as a target, or nothing (ValidationError listing why)."""
    if not may_set_targets(by):
        raise PermissionDeniedError(_("Only the city sets targets and scoring rules."))
    titles = dict(_columns())
    result = ImportResult()
    rows = read_rows(data)
    units = {u.code: u for u in OrgUnit.objects.filter(kind__in=TARGET_UNIT_KINDS)}
    by_name: dict[str, list[OrgUnit]] = {}
    for unit in units.values():
        for name in {unit.name, unit.short_name}:
            if name:
                by_name.setdefault(name, []).append(unit)
    seen: dict[tuple, int] = {}

    def problem(number: int, key: str, value: str, message: str) -> None:
        result.errors.append(
            _("Row %(row)s, column “%(column)s”, value “%(value)s”: %(message)s")
            % {"row": number, "column": titles[key], "value": value, "message": message}
        )

    with transaction.atomic():
        for number, row in rows:
            if not row.get("year", "").isdigit():
                problem(number, "year", row.get("year", ""), _("give the year as 4 digits."))
                continue
            year = int(row["year"])
            unit = units.get(row.get("unit_code", ""))
            if unit is None:
                matches = [u for u in by_name.get(row.get("unit_name", ""), [])]
                current = [u for u in matches if u.valid_to is None]
                matches = current or matches
                if len(matches) == 1:
                    unit = matches[0]
            if unit is None:
                key = "unit_code" if row.get("unit_code") else "unit_name"
                problem(number, key, row.get(key, ""), _("no such district, bureau or team."))
                continue
            figure = row.get("figure", "")
            if figure not in FIGURES:
                problem(number, "figure", figure, _("unknown figure code."))
                continue
            if (year, unit.pk, figure) in seen:
                problem(
                    number,
                    "figure",
                    figure,
                    _("the same unit and figure are on row %(row)s already.")
                    % {"row": seen[(year, unit.pk, figure)]},
                )
                continue
            seen[(year, unit.pk, figure)] = number
            breakdown = _breakdown_of(row.get("breakdown", ""))
            if breakdown is None:
                problem(
                    number,
                    "breakdown",
                    row.get("breakdown", ""),
                    _("choose one of: %(choices)s.")
                    % {"choices": "、".join(str(label) for _c, label in Breakdown.choices)},
                )
                continue
            definition = None
            if row.get("definition"):
                try:
                    definition = get_definition(row["definition"])
                except ValidationError as error:
                    problem(number, "definition", row["definition"], " ".join(error.messages))
                    continue
            prefix = {"months": "m", "quarters": "q"}.get(breakdown)
            parts = None
            if prefix:
                count = 12 if prefix == "m" else 4
                parts = [row.get(f"{prefix}{i}", "") or "0" for i in range(1, count + 1)]
            before = Target.objects.filter(year=year, unit=unit, figure=figure).first()
            try:
                value, amounts = validate_target(
                    year=year,
                    unit=unit,
                    figure=figure,
                    annual=row.get("annual", ""),
                    breakdown=breakdown,
                    parts=parts,
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    key = {"parts": "breakdown"}.get(name, name)
                    key = key if key in titles else "annual"
                    for message in messages:
                        problem(number, key, row.get(key, ""), message)
                continue
            note = row.get("note", "")
            if before is not None and (
                before.annual == value
                and before.breakdown == breakdown
                and list(before.parts) == amounts
                and before.note == note
                and (definition is None or before.definition_id == definition.pk)
            ):
                result.unchanged += 1
                continue
            target_save(
                year=year,
                unit=unit,
                figure=figure,
                annual=value,
                breakdown=breakdown,
                parts=amounts or None,
                definition=definition,
                note=note,
                by=by,
            )
            if before is None:
                result.created += 1
            else:
                result.updated += 1
        if result.errors:
            transaction.set_rollback(True)
            raise ValidationError(result.errors)
        if dry_run:
            transaction.set_rollback(True)
    return result

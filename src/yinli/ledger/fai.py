"""The statistics bureau's 入库 list: which projects were accepted into fixed-asset-investment
statistics (入库列统), and in which month.

Columns: 项目代码 (投资项目代码), 项目名称, 入库月份, 计划总投资. A row finds its project by the
code; failing that, by the normalized project name when exactly one live project has it (a
weaker match, reported as such, which also sets the project's code). The project's ``fai_on``
becomes the first day of the month and ``fai_code`` the code, through ``project_update``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.parsing import parse_optional_date
from yinli.core.services import PermissionDeniedError
from yinli.projects.models import Project
from yinli.projects.services import project_update

from .convert import Problem, shown
from .models import BatchStatus, ImportBatch, ImportChange
from .reader import Limits, open_ledger, sha256_of
from .values import normalize_project_name


@dataclass
class FaiResult:
    file_name: str
    sha256: str
    rows: int = 0
    matched: list[dict] = field(default_factory=list)
    matched_by_name: list[dict] = field(default_factory=list)
    unchanged: int = 0
    unmatched: list[dict] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    batch: ImportBatch | None = None
    committed: bool = False

    def summary(self) -> dict:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "batch": self.batch.pk if self.batch else None,
            "dry_run": not self.committed,
            "rows": self.rows,
            "updated": len([m for m in self.matched + self.matched_by_name if m["changed"]]),
            "unchanged": self.unchanged,
            "matched": self.matched,
            "matched_by_name": self.matched_by_name,
            "unmatched": self.unmatched,
            "errors": [p.as_dict() for p in self.errors],
        }


def import_fai(*, path, user, dry_run: bool = False) -> FaiResult:
    """Set 入库列统 (``fai_on``, ``fai_code``) from the statistics bureau's list.

    All or nothing: a row that cannot be read (a month that is no month) stops the import.
    Only users who may change every project (city administrators) import this list.
    """
    if not scoping.changes_everything(user):
        raise PermissionDeniedError(_("Only a city administrator imports the 入库 list."))
    path = Path(path)
    ledger = open_ledger(path, limits=Limits.from_settings())
    mapped = ledger.mapped
    if "fai_on" not in mapped or ("fai_code" not in mapped and "name" not in mapped):
        raise ValidationError(
            _("The 入库 list needs the columns 项目代码, 项目名称 and 入库月份."), code="no_header"
        )
    result = FaiResult(file_name=path.name, sha256=sha256_of(path))
    by_code: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for pk, code, name in Project.objects.values_list("id", "fai_code", "name"):
        if code:
            by_code.setdefault(code.upper(), pk)
        by_name.setdefault(normalize_project_name(name), []).append(pk)
    plans = []
    for number, cells in ledger.data_rows():
        result.rows += 1

        def cell(name, cells=cells):
            column = mapped.get(name)
            return cells[column.index] if column and column.index < len(cells) else None

        code = shown(cell("fai_code")).replace(" ", "").upper()
        name = shown(cell("name"))
        raw_month = cell("fai_on")
        try:
            parsed = parse_optional_date(raw_month)
        except ValidationError as exc:
            column = mapped["fai_on"]
            result.errors.append(
                Problem(
                    number,
                    column.header,
                    shown(raw_month),
                    " ".join(exc.messages),
                    f"{column.letter}{number}",
                )
            )
            continue
        if parsed is None:
            column = mapped["fai_on"]
            result.errors.append(
                Problem(
                    number, column.header, "", _("The month is empty."), f"{column.letter}{number}"
                )
            )
            continue
        month = parsed.date.replace(day=1)
        project_id, weak = by_code.get(code) if code else None, False
        if project_id is None and name:
            candidates = by_name.get(normalize_project_name(name), [])
            if len(candidates) == 1:
                project_id, weak = candidates[0], True
        if project_id is None:
            result.unmatched.append(
                {"row": number, "code": code, "name": name, "month": month.isoformat()[:7]}
            )
            continue
        plans.append((number, project_id, code, month, weak))
    if result.errors or dry_run:
        _describe(result, plans, write=False)
        return result
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind="fai", user=user, file_name=path.name[:255], sha256=result.sha256
        )
        _describe(result, plans, write=True, user=user, batch=batch)
        batch.rows = result.rows
        batch.updated = len([m for m in result.matched + result.matched_by_name if m["changed"]])
        batch.unchanged = result.unchanged
        batch.skipped = len(result.unmatched)
        batch.status = BatchStatus.COMMITTED
        batch.finished_at = timezone.now()
        batch.summary = {"unmatched": result.unmatched[:1000]}
        batch.save()
    result.batch = batch
    result.committed = True
    return result


def _describe(result: FaiResult, plans, *, write: bool, user=None, batch=None) -> None:
    projects = Project.objects.in_bulk([p[1] for p in plans])
    for number, project_id, code, month, weak in plans:
        project = projects[project_id]
        data = {}
        if project.fai_on != month:
            data["fai_on"] = month
        if code and project.fai_code.upper() != code:
            data["fai_code"] = code
        entry = {
            "row": number,
            "project_id": project_id,
            "name": project.name,
            "month": month.isoformat()[:7],
            "changed": bool(data),
        }
        (result.matched_by_name if weak else result.matched).append(entry)
        if not data:
            result.unchanged += 1
            continue
        if write:
            previous = (
                {
                    "fai_on": project.fai_on.isoformat() if project.fai_on else None,
                    "fai_code": project.fai_code,
                }
                if "fai_code" in data
                else {"fai_on": project.fai_on.isoformat() if project.fai_on else None}
            )
            project._change_reason = "import"
            project = project_update(project=project, data=data, version=project.version, by=user)
            ImportChange.objects.create(
                batch=batch,
                model="projects.project",
                object_id=project.pk,
                row=number,
                previous=previous,
                version_after=project.version,
            )

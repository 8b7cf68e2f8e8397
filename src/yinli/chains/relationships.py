"""Company relationships (企业关系): A is B's supplier, customer, shareholder or partner.

Entered by hand on a company or node page, or imported from a sheet with the columns 企业A,
企业B, 关系 (and optionally 开始日期, 结束日期, 备注). A company is named by its 统一社会信用代码 or
its name (exact, else its normalised form); a merged company stands for the one it was merged
into. An import is all or nothing: every error names its row, column and value, and nothing is
written while one remains. A pair already recorded with the same relationship is skipped.

Who enters them: those who enter companies (city admin, district editors, team members) and the
city's analysts; every signed-in user reads them, like the registry they belong to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from yinli.companies.models import Company
from yinli.core import scoping
from yinli.core.services import PermissionDeniedError, save_tracked, soft_delete

from .models import RelationKind, Relationship, RelationSource

# The words a sheet may use for each relationship (after NFKC, spaces removed).
KIND_WORDS = {
    RelationKind.SUPPLIER: ("供应商", "供应", "供货商", "供货", "supplier"),
    RelationKind.CUSTOMER: ("客户", "采购方", "买方", "customer"),
    RelationKind.SHAREHOLDER: ("股东", "持股", "投资方", "出资人", "shareholder"),
    RelationKind.PARTNER: ("合作伙伴", "合作方", "合作", "伙伴", "partner"),
}
COLUMNS = {
    "company": ("企业A", "公司A", "企业甲", "企业名称A", "企业A名称"),
    "other": ("企业B", "公司B", "企业乙", "企业名称B", "企业B名称"),
    "kind": ("关系", "关系类型", "关系（A是B的）", "关系(A是B的)"),
    "started_on": ("开始日期", "起始日期", "开始"),
    "ended_on": ("结束日期", "截止日期", "结束"),
    "note": ("备注", "说明"),
}
REQUIRED = ("company", "other", "kind")
HEADER_SEARCH_ROWS = 10
USCC = re.compile(r"^[0-9A-Z]{18}$")  # the shape only: a code is looked up, not checked


def _plain(value) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", "" if value is None else str(value)))


def may_enter_relationships(user) -> bool:
    from .services import may_edit_chains

    return scoping.can_create_company(user) or may_edit_chains(user)


def _require(user) -> None:
    if not may_enter_relationships(user):
        raise PermissionDeniedError(
            _("Only those who enter companies, and the city's analysts, record relationships.")
        )


def kind_from_text(text) -> str | None:
    word = _plain(text).casefold()
    if not word:
        return None
    for kind, words in KIND_WORDS.items():
        if word == kind.value or word in (w.casefold() for w in words):
            return kind.value
    label_match = {str(label): value for value, label in RelationKind.choices}
    return label_match.get(word)


def find_company(text) -> tuple[Company | None, str]:
    """A company by credit code or name: (company, "") or (None, why not)."""
    from yinli.core.names import normalize_company_name

    value = " ".join(("" if text is None else str(text)).split())
    if not value:
        return None, _("empty")
    code = _plain(value).upper()
    live = Company.objects.filter(deleted_at__isnull=True)
    if USCC.match(code):
        found = list(live.filter(uscc=code)[:1])
        if not found:
            return None, _("no company in the registry has this credit code")
    else:
        found = list(live.filter(name=value)[:2])
        if not found:
            found = list(live.filter(name_normalized=normalize_company_name(value)[:200])[:2])
        if not found:
            return None, _("no company in the registry has this name")
        if len(found) > 1:
            return None, _("several companies bear this name: give the credit code")
    company = found[0]
    while company.merged_into_id:
        company = company.merged_into
    return company, ""


def _check_pair(company: Company, other: Company, started_on, ended_on) -> list[tuple[str, str]]:
    """(column key, message) for each thing wrong with a pair."""
    errors = []
    if company.pk == other.pk:
        errors.append(("other", _("A company cannot be related to itself.")))
    if started_on and ended_on and ended_on < started_on:
        errors.append(("ended_on", _("The end date is before the start date.")))
    return errors


def relationship_create(
    *,
    company: Company,
    other: Company,
    kind: str,
    by,
    started_on: date | None = None,
    ended_on: date | None = None,
    note: str = "",
    source: str = RelationSource.HAND,
) -> Relationship:
    _require(by)
    if kind not in RelationKind.values:
        raise ValidationError({"kind": _("Choose a relationship.")})
    errors = _check_pair(company, other, started_on, ended_on)
    if errors:
        raise ValidationError([message for _key, message in errors])
    if Relationship.objects.filter(company=company, other=other, kind=kind).exists():
        raise ValidationError(
            _("%(a)s is already recorded as %(kind)s of %(b)s.")
            % {"a": company.name, "b": other.name, "kind": RelationKind(kind).label}
        )
    rel = Relationship(
        company=company,
        other=other,
        kind=kind,
        source=source,
        started_on=started_on,
        ended_on=ended_on,
        note=(note or "").strip()[:300],
    )
    return save_tracked(instance=rel, by=by)


def relationship_delete(*, relationship: Relationship, by, expected_version: int | None = None):
    _require(by)
    return soft_delete(instance=relationship, by=by, expected_version=expected_version)


# --- import ------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    rows: int = 0
    errors: list[str] = field(default_factory=list)


def _header(cells: list) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, value in enumerate(cells):
        text = _plain(value)
        for key, names in COLUMNS.items():
            if key not in found and text in names:
                found[key] = index
    return found if all(key in found for key in REQUIRED) else None


def relationships_import(*, path: Path | str, by, progress=None) -> ImportResult:
    """Import a sheet of relationships, all or nothing (see the module docstring).

    Raises ValidationError with every error (row, column, value) when one row is wrong.
    """
    from yinli.core.parsing import parse_optional_date
    from yinli.ledger.mapping import column_letter
    from yinli.ledger.reader import read_table

    _require(by)
    rows = read_table(path)
    header = None
    for number, cells in rows:
        header = _header(cells)
        if header is not None:
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        raise ValidationError(
            _(
                "No header row with the columns 企业A, 企业B and 关系 in the first %(n)s rows of "
                "the sheet."
            )
            % {"n": HEADER_SEARCH_ROWS}
        )
    labels = {
        "company": "企业A",
        "other": "企业B",
        "kind": "关系",
        "started_on": "开始日期",
        "ended_on": "结束日期",
        "note": "备注",
    }
    result = ImportResult()
    pending: list[Relationship] = []
    seen: set[tuple[int, int, str]] = set()
    existing: set[tuple[int, int, str]] = set()
    for number, cells in rows:
        if not any(_plain(c) for c in cells):
            continue
        result.rows += 1

        def cell(key: str, cells=cells):
            index = header.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        def error(key: str, message: str, number=number, cell=cell) -> None:
            value = cell(key)
            result.errors.append(
                _("Row %(row)s, column %(column)s (%(header)s), value “%(value)s”: %(message)s")
                % {
                    "row": number,
                    "column": column_letter(header[key]),
                    "header": labels[key],
                    "value": "" if value is None else value,
                    "message": message,
                }
            )

        companies = {}
        for key in ("company", "other"):
            company, why = find_company(cell(key))
            if company is None:
                error(key, why)
            companies[key] = company
        kind = kind_from_text(cell("kind"))
        if kind is None:
            error(
                "kind",
                _("not a relationship; write one of 供应商, 客户, 股东, 合作伙伴"),
            )
        dates = {}
        for key in ("started_on", "ended_on"):
            if key not in header:
                dates[key] = None
                continue
            try:
                parsed = parse_optional_date(cell(key))
            except ValidationError as problem:
                error(key, " ".join(problem.messages))
                parsed = None
            dates[key] = parsed.date if parsed else None
        if not (companies["company"] and companies["other"] and kind):
            continue
        problems = _check_pair(
            companies["company"], companies["other"], dates["started_on"], dates["ended_on"]
        )
        for key, message in problems:
            error(key, message)
        if problems:
            continue
        key = (companies["company"].pk, companies["other"].pk, kind)
        if key in seen:
            result.skipped += 1
            continue
        seen.add(key)
        pending.append(
            Relationship(
                company=companies["company"],
                other=companies["other"],
                kind=kind,
                source=RelationSource.SHEET,
                started_on=dates["started_on"],
                ended_on=dates["ended_on"],
                note=_plain(cell("note"))[:300] if "note" in header else "",
            )
        )
        if progress:
            progress(1)
    if result.errors:
        raise ValidationError(result.errors)
    if not result.rows:
        raise ValidationError(_("The sheet has a header but no relationship under it."))
    keys = list(seen)
    for start in range(0, len(keys), 300):
        chunk = keys[start : start + 300]
        query = Q(pk__in=[])
        for a, b, kind in chunk:
            query |= Q(company_id=a, other_id=b, kind=kind)
        existing.update(
            Relationship.objects.filter(query).values_list("company_id", "other_id", "kind")
        )
    now = timezone.now()
    fresh = []
    for rel in pending:
        if (rel.company_id, rel.other_id, rel.kind) in existing:
            result.skipped += 1
            continue
        rel.version = 1
        rel.created_at = rel.updated_at = now
        rel.created_by = by if getattr(by, "pk", None) else None
        fresh.append(rel)
    with transaction.atomic():
        bulk_create_with_history(fresh, Relationship, batch_size=1000, default_user=by)
    result.created = len(fresh)
    return result


# --- reads -------------------------------------------------------------------------------


def live(queryset: QuerySet | None = None) -> QuerySet:
    queryset = Relationship.objects.all() if queryset is None else queryset
    return queryset.filter(
        company__deleted_at__isnull=True,
        other__deleted_at__isnull=True,
        company__merged_into__isnull=True,
        other__merged_into__isnull=True,
    )


def describe(rel: Relationship) -> str:
    """企业A 是 企业B 的供应商."""
    return _("%(a)s is %(kind)s of %(b)s") % {
        "a": rel.company.name,
        "b": rel.other.name,
        "kind": rel.get_kind_display(),
    }


def company_relationships(*, company: Company) -> list[dict]:
    """The company's relationships, each with the other company and a sentence."""
    rows = (
        live()
        .filter(Q(company=company) | Q(other=company))
        .select_related("company", "other", "company__region", "other__region")
        .order_by("kind", "pk")
    )
    return [
        {
            "relationship": rel,
            "partner": rel.other if rel.company_id == company.pk else rel.company,
            "sentence": describe(rel),
        }
        for rel in rows
    ]


def node_partners_elsewhere(*, node, limit: int = 200) -> list[dict]:
    """以商引商: the partners outside the home city of the node's local companies."""
    from .models import CompanyNode, Decision
    from .selectors import local_companies
    from .targets import node_subtree_ids

    local_ids = local_companies().values("pk")
    on_node = (
        CompanyNode.objects.filter(node_id__in=node_subtree_ids(node), company_id__in=local_ids)
        .exclude(decision=Decision.REJECTED)
        .values("company_id")
    )
    rows = (
        live()
        .filter(
            Q(company_id__in=on_node) & ~Q(other_id__in=local_ids)
            | Q(other_id__in=on_node) & ~Q(company_id__in=local_ids)
        )
        .select_related("company", "other", "company__region", "other__region")
        .order_by("kind", "pk")[:limit]
    )
    local_set = set(on_node.values_list("company_id", flat=True))
    result = []
    for rel in rows:
        local, partner = (
            (rel.company, rel.other) if rel.company_id in local_set else (rel.other, rel.company)
        )
        result.append(
            {"relationship": rel, "local": local, "partner": partner, "sentence": describe(rel)}
        )
    return result

"""Writes on targets and scoring schemes. Views, API and CLI call these; city roles only."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinli.core.models import OrgKind, OrgUnit
from yinli.core.services import PermissionDeniedError, save_tracked, soft_delete
from yinli.stats.definitions import current_definition

from .figures import FIGURES, figure_label
from .models import Breakdown, ItemKind, ScoringItem, ScoringScheme, Target
from .scoping import may_set_targets

TARGET_UNIT_KINDS = (OrgKind.DISTRICT, OrgKind.BUREAU, OrgKind.TEAM)
PART_COUNTS = {Breakdown.MONTHS: 12, Breakdown.QUARTERS: 4}


def _check(user) -> None:
    if not may_set_targets(user):
        raise PermissionDeniedError(_("Only the city sets targets and scoring rules."))


def parse_amount(value: Any, *, field: str) -> Decimal:
    """A number given as text or a number; ValidationError naming the field and the value."""
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise ValidationError(
                {field: _("“%(value)s” is not a number.") % {"value": value}}
            ) from error
    if not number.is_finite():
        raise ValidationError({field: _("“%(value)s” is not a number.") % {"value": value}})
    return number


def validate_target(
    *, year: int, unit: OrgUnit, figure: str, annual: Any, breakdown: str, parts: list | None
) -> tuple[Decimal, list[str]]:
    """The annual value and the parts as decimal text, or ValidationError naming each problem."""
    errors: dict[str, list[str]] = {}
    if not 2000 <= int(year) <= 2100:
        errors["year"] = [_("%(year)s is not a plausible year.") % {"year": year}]
    if unit.kind not in TARGET_UNIT_KINDS:
        errors["unit"] = [
            _("%(unit)s is not a district, bureau or team; targets are set for those.")
            % {"unit": unit.name}
        ]
    if figure not in FIGURES:
        errors["figure"] = [
            _("Unknown figure “%(figure)s”; choose one of: %(choices)s.")
            % {"figure": figure, "choices": ", ".join(FIGURES)}
        ]
    if breakdown not in Breakdown.values:
        errors["breakdown"] = [
            _("Unknown breakdown “%(value)s”; choose one of: %(choices)s.")
            % {"value": breakdown, "choices": ", ".join(Breakdown.values)}
        ]
    try:
        value = parse_amount(annual, field="annual")
    except ValidationError as error:
        errors.update({k: v for k, v in error.message_dict.items()})
        value = None
    if value is not None:
        if value < 0:
            errors["annual"] = [_("A target cannot be below zero (%(value)s).") % {"value": value}]
        elif figure in FIGURES and FIGURES[figure].whole and value != value.to_integral_value():
            errors["annual"] = [
                _("%(figure)s counts projects: give a whole number, not %(value)s.")
                % {"figure": figure_label(figure), "value": value}
            ]
    amounts: list[Decimal] = []
    expected = PART_COUNTS.get(breakdown)
    if expected:
        parts = list(parts or [])
        if len(parts) != expected:
            errors["parts"] = [
                _("This breakdown needs %(n)s amounts, one per %(what)s; %(given)s given.")
                % {
                    "n": expected,
                    "what": _("month") if expected == 12 else _("quarter"),
                    "given": len(parts),
                }
            ]
        else:
            for i, part in enumerate(parts, start=1):
                name = (_("month %(n)s") if expected == 12 else _("quarter %(n)s")) % {"n": i}
                try:
                    amount = parse_amount(part if part not in (None, "") else 0, field="parts")
                except ValidationError:
                    errors.setdefault("parts", []).append(
                        _("%(name)s: “%(value)s” is not a number.") % {"name": name, "value": part}
                    )
                    continue
                if amount < 0:
                    errors.setdefault("parts", []).append(
                        _("%(name)s: %(value)s is below zero.") % {"name": name, "value": amount}
                    )
                amounts.append(amount)
            if value is not None and "parts" not in errors and sum(amounts) != value:
                errors["parts"] = [
                    _(
                        "The amounts per %(what)s add up to %(total)s, not to the annual target "
                        "%(annual)s."
                    )
                    % {
                        "what": _("month") if expected == 12 else _("quarter"),
                        "total": _plain(sum(amounts)),
                        "annual": _plain(value),
                    }
                ]
    if errors:
        raise ValidationError(errors)
    return value, [_plain(a) for a in amounts]


def _plain(number: Decimal) -> str:
    text = format(Decimal(number).normalize(), "f")
    return text


@transaction.atomic
def target_save(
    *,
    year: int,
    unit: OrgUnit,
    figure: str,
    annual: Any,
    by,
    breakdown: str = Breakdown.EVEN_MONTHS,
    parts: list | None = None,
    definition=None,
    note: str = "",
    version: int | None = None,
) -> Target:
    """Create the target of (year, unit, figure), or change it (with a version check)."""
    _check(by)
    value, amounts = validate_target(
        year=year, unit=unit, figure=figure, annual=annual, breakdown=breakdown, parts=parts
    )
    target = Target.objects.filter(year=year, unit=unit, figure=figure).first()
    if target is None:
        target = Target(year=year, unit=unit, figure=figure)
        version = None
    target.annual = value
    target.breakdown = breakdown
    target.parts = amounts
    target.definition = definition or (
        target.definition if target.definition_id else current_definition()
    )
    target.note = (note or "").strip()[:300]
    return save_tracked(instance=target, by=by, expected_version=version)


def target_delete(*, target: Target, by, version: int | None = None) -> Target:
    _check(by)
    return soft_delete(instance=target, by=by, expected_version=version)


# --- scoring schemes ------------------------------------------------------------------------


def _item_errors(index: int, item: dict) -> tuple[dict, list[str]]:
    """An item's clean values, and its problems named by line."""
    problems: list[str] = []
    line = _("Item %(n)s") % {"n": index}
    kind = item.get("kind", "")
    clean: dict[str, Any] = {"kind": kind, "figure": item.get("figure") or ""}
    if kind not in ItemKind.values:
        return clean, [_("%(line)s: unknown kind “%(value)s”.") % {"line": line, "value": kind}]
    for field in ("weight", "cap", "points", "threshold_yi"):
        raw = item.get(field)
        if raw in (None, ""):
            clean[field] = None
            continue
        try:
            clean[field] = parse_amount(raw, field=field)
        except ValidationError:
            problems.append(
                _("%(line)s: %(field)s “%(value)s” is not a number.")
                % {"line": line, "field": field, "value": raw}
            )
    if problems:
        return clean, problems
    if kind == ItemKind.FIGURE:
        if clean["figure"] not in FIGURES:
            problems.append(_("%(line)s: choose the figure it scores.") % {"line": line})
        if clean["weight"] is None or clean["weight"] <= 0:
            problems.append(_("%(line)s: give a weight above zero.") % {"line": line})
        if clean["cap"] is not None and clean["cap"] <= 0:
            problems.append(_("%(line)s: the cap must be above zero.") % {"line": line})
    else:
        clean["figure"] = ""
        if clean["points"] is None or clean["points"] == 0:
            problems.append(_("%(line)s: give the points per occurrence.") % {"line": line})
        if kind == ItemKind.BIG_PROJECT and (
            clean["threshold_yi"] is None or clean["threshold_yi"] <= 0
        ):
            problems.append(
                _("%(line)s: give the size (100 million yuan) a project must reach.")
                % {"line": line}
            )
    return clean, problems


@transaction.atomic
def scheme_save(
    *,
    name: str,
    items: list[dict],
    by,
    scheme: ScoringScheme | None = None,
    is_default: bool = False,
    note: str = "",
    version: int | None = None,
) -> ScoringScheme:
    """Create or change a scheme and replace its items (all or nothing)."""
    _check(by)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the scheme a name.")]
    elif ScoringScheme.objects.filter(name=name).exclude(pk=scheme.pk if scheme else None).exists():
        errors["name"] = [_("A scheme called “%(name)s” exists already.") % {"name": name}]
    cleaned = []
    for i, item in enumerate(items, start=1):
        clean, problems = _item_errors(i, item)
        if problems:
            errors.setdefault("items", []).extend(problems)
        cleaned.append(clean)
    if not cleaned:
        errors.setdefault("items", []).append(_("A scheme needs at least one item."))
    if errors:
        raise ValidationError(errors)
    scheme = scheme or ScoringScheme()
    scheme.name = name
    scheme.note = note or ""
    scheme.is_default = bool(is_default)
    if scheme.pk is None:
        version = None
    save_tracked(instance=scheme, by=by, expected_version=version)
    if scheme.is_default:
        ScoringScheme.objects.exclude(pk=scheme.pk).filter(is_default=True).update(is_default=False)
    scheme.items.all().delete()
    ScoringItem.objects.bulk_create(
        ScoringItem(scheme=scheme, sort_order=i, **clean) for i, clean in enumerate(cleaned)
    )
    return scheme


def default_scheme() -> ScoringScheme | None:
    return (
        ScoringScheme.objects.filter(is_default=True).first()
        or ScoringScheme.objects.order_by("pk").first()
    )

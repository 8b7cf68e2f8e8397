"""撞车: duplicate decisions at entry, conflicts between districts, and the city's rulings.

Every entry point (the project form, the API, the ledger import) asks
:func:`duplicate_check` before it writes a project; when the investor already has a project
the person must answer (:func:`require_decision`): "a different investment" with a reason (kept
on the project, so its history records it) or "the same project" (which opens a
:class:`~yinli.projects.models.Conflict` with the existing one). Nothing is blocked without a
person deciding. :func:`apply_decision` writes the answer once the project is saved.

A conflict is ruled by the city (:func:`conflict_rule`): keep (one side keeps it, the other's
record is merged into it), transfer (the first-reported record moves to the other district and
absorbs that district's record), joint (the lead district's record absorbs the other, with the
split recorded), distinct investments (both stand, the reason is kept on both), or reject
(nothing changes). Both districts are notified in the app.

What a district learns of a conflict (:func:`side_view`): that it exists, with which district,
the stage and dates of the other side, the claims and the ruling — never the other district's
record itself (its name, amounts, people) unless scoping lets it see that project anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.companies.duplicates import DuplicateWarning, duplicate_warnings
from yinli.core import scoping
from yinli.core.models import OrgUnit
from yinli.core.notifications import city_units, notify
from yinli.core.services import PermissionDeniedError, save_tracked
from yinli.reporting.locks import check_project_write as check_locked_periods

from . import claims as claim_services
from .merge import project_merge
from .models import (
    Conflict,
    ConflictOrigin,
    ConflictStatus,
    DuplicateDecision,
    Project,
    Ruling,
    Side,
)

# --- the decision at entry -----------------------------------------------------------------


@dataclass
class DecisionInput:
    """What the person answered: ``distinct`` (with ``reason``) or ``same`` (as ``same_as``)."""

    decision: str = ""
    reason: str = ""
    same_as: int | None = None


class DuplicateUnconfirmed(ValidationError):
    """The investor already has a project and nobody has said what this new record is."""

    def __init__(self, warnings: list[DuplicateWarning], message: str | None = None):
        self.warnings = warnings
        super().__init__(
            {
                "duplicate_decision": [
                    message
                    or _(
                        "This investor already has a project in Yinli. Say whether this is a "
                        "different investment (with the reason) or the same project."
                    )
                ]
            },
        )


def duplicate_check(
    *,
    user,
    company=None,
    company_name: str | None = None,
    uscc: str | None = None,
    district: OrgUnit | int | None = None,
    exclude_project_id: int | None = None,
    project_name: str | None = None,
) -> list[DuplicateWarning]:
    """The warnings for a would-be project: its investor's projects (see
    yinli.companies.duplicates), then projects of another district with the same name."""
    if company is not None:
        company_name = company_name or company.name
        uscc = uscc or company.uscc
    warnings: list[DuplicateWarning] = []
    if company_name or uscc:
        warnings = duplicate_warnings(
            company_name=company_name,
            uscc=uscc,
            district=district,
            user=user,
            exclude_project_id=exclude_project_id,
        )
    if project_name and project_name.strip():
        warnings.extend(
            _same_name(
                user=user,
                name=project_name,
                district=district,
                exclude={exclude_project_id, *(w.project_id for w in warnings)},
            )
        )
    return warnings


def _same_name(*, user, name: str, district, exclude: set) -> list[DuplicateWarning]:
    """Live projects of other districts named exactly so (spaces aside), as warnings."""
    from yinli.companies.duplicates import _Match, _warning

    home = district.pk if isinstance(district, OrgUnit) else district
    if home is None and getattr(user, "org_unit", None) is not None:
        home = user.org_unit.district_id
    projects = (
        Project.objects.filter(name=" ".join(name.split()), merged_into__isnull=True)
        .exclude(pk__in=[pk for pk in exclude if pk is not None])
        .exclude(district_id=home)
        .select_related("company", "district", "responsible_unit")[:10]
    )
    projects = [p for p in projects if p.company_id is not None]
    if not projects:
        return []
    visible = set(
        scoping.visible_projects(
            user, Project.objects.filter(pk__in=[p.pk for p in projects])
        ).values_list("pk", flat=True)
    )
    reason = _("A project with the same name")
    return [_warning(p, _Match(100, reason), home, p.pk in visible) for p in projects]


def require_decision(
    warnings: list[DuplicateWarning], answer: DecisionInput | None
) -> DecisionInput | None:
    """Check the answer to the warnings; raise DuplicateUnconfirmed when one is missing."""
    if not warnings:
        return None
    if answer is None or not answer.decision:
        raise DuplicateUnconfirmed(warnings)
    if answer.decision == DuplicateDecision.DISTINCT:
        if not (answer.reason or "").strip():
            raise DuplicateUnconfirmed(
                warnings,
                _(
                    "Give the reason why this is a different investment (e.g. a new plant, a "
                    "different product line)."
                ),
            )
        return DecisionInput(DuplicateDecision.DISTINCT, answer.reason.strip()[:300])
    if answer.decision == DuplicateDecision.SAME:
        ids = [w.project_id for w in warnings]
        same_as = answer.same_as if answer.same_as is not None else ids[0]
        if same_as not in ids:
            raise DuplicateUnconfirmed(
                warnings,
                _("Project #%(id)s is not among the warnings; choose one of them.")
                % {"id": same_as},
            )
        warning = next(w for w in warnings if w.project_id == same_as)
        if not warning.other_district:
            raise DuplicateUnconfirmed(
                warnings,
                _(
                    "The same project is already in your district's ledger: update that "
                    "project instead of entering it again."
                ),
            )
        return DecisionInput(DuplicateDecision.SAME, (answer.reason or "").strip(), same_as)
    raise DuplicateUnconfirmed(
        warnings, _("Unknown answer “%(value)s”.") % {"value": answer.decision}
    )


@transaction.atomic
def apply_decision(
    *, project: Project, answer: DecisionInput | None, by, origin: str = ConflictOrigin.ENTRY
) -> Conflict | None:
    """Record the answer on the saved project; "the same project" opens a conflict."""
    if answer is None:
        return None
    project.refresh_from_db()
    project.duplicate_decision = answer.decision
    project.duplicate_reason = (
        answer.reason if answer.decision == DuplicateDecision.DISTINCT else ""
    )
    project._change_reason = "duplicate decision"
    save_tracked(instance=project, by=by)
    if answer.decision != DuplicateDecision.SAME:
        return None
    existing = Project.objects.get(pk=answer.same_as)
    return conflict_open(
        project_a=existing,
        project_b=project,
        by=by,
        origin=origin,
        note=answer.reason,
        check_permission=False,
    )


def import_row_decision(
    *, project: Project, decision: str, by, reason: str = "", same_as: int | None = None
) -> Conflict | None:
    """For the ledger import: record the answer given for a flagged row, after the row's
    project was written. ``decision`` is "distinct" (``reason`` required) or "same"
    (``same_as``: the existing project's id, one of the row's possible duplicates)."""
    warnings = duplicate_check(
        user=by,
        company=project.company,
        district=project.district_id,
        exclude_project_id=project.pk,
    )
    if same_as is not None and not any(w.project_id == same_as for w in warnings):
        # The import also flags same-named projects, which the investor check may not find.
        other = scoping.visible_projects(by, Project.objects.all()).filter(pk=same_as).first()
        if other is None and not Project.objects.filter(pk=same_as).exists():
            raise ValidationError(_("There is no project #%(id)s.") % {"id": same_as})
        other = other or Project.objects.get(pk=same_as)
        if decision == DuplicateDecision.SAME:
            if other.district_id == project.district_id:
                raise ValidationError(
                    _(
                        "The same project is already in your district's ledger: update that "
                        "project instead of entering it again."
                    )
                )
            return conflict_open(
                project_a=other,
                project_b=project,
                by=by,
                origin=ConflictOrigin.IMPORT,
                note=reason,
                check_permission=False,
            )
    answer = require_decision(
        warnings or [], DecisionInput(decision=decision, reason=reason, same_as=same_as)
    )
    return apply_decision(project=project, answer=answer, by=by, origin=ConflictOrigin.IMPORT)


# --- conflicts -------------------------------------------------------------------------------


def may_rule(user) -> bool:
    """The city rules on conflicts: its administrators and analysts (投资促进处)."""
    return bool(user and user.is_authenticated and user.is_active and user.is_city_role)


def _user_district_id(user) -> int | None:
    unit = getattr(user, "org_unit", None)
    return unit.district_id if unit is not None else None


def visible_conflicts(user, queryset: QuerySet | None = None) -> QuerySet[Conflict]:
    """The city sees every conflict; a district those naming it or a project it sees."""
    queryset = Conflict.objects.all() if queryset is None else queryset
    if not scoping._active(user):
        return queryset.none()
    if scoping.sees_everything(user):
        return queryset
    seen = scoping.visible_projects(user, Project.all_objects.all()).values("pk")
    condition = Q(project_a__in=seen) | Q(project_b__in=seen)
    district = _user_district_id(user)
    if district is not None and user.role != "team_member":
        condition |= Q(district_a_id=district) | Q(district_b_id=district)
    return queryset.filter(condition)


def conflicts_of(project: Project, user) -> QuerySet[Conflict]:
    return visible_conflicts(
        user, Conflict.objects.filter(Q(project_a=project) | Q(project_b=project))
    ).select_related("district_a", "district_b")


def _names(conflict: Conflict) -> dict[str, str]:
    return {
        "a": conflict.district_a.display_name,
        "b": conflict.district_b.display_name,
    }


def _link(conflict: Conflict) -> str:
    return reverse("projects:conflict", args=[conflict.pk])


@transaction.atomic
def conflict_open(
    *,
    project_a: Project,
    project_b: Project,
    by,
    origin: str = ConflictOrigin.CITY,
    note: str = "",
    check_permission: bool = True,
) -> Conflict:
    """Open a conflict between two projects of different districts.

    ``project_a`` is the earlier record, ``project_b`` the one entered later. The city may open
    one between any two projects; a district through its own project (the "same project"
    answer, or from its project's page naming the other's id it was warned of).
    """
    if check_permission and not may_rule(by):
        if not scoping.can_change_project(by, project_b):
            raise PermissionDeniedError(_("You may not open a conflict on this project."))
    if project_a.pk == project_b.pk:
        raise ValidationError(_("A project cannot conflict with itself."))
    if project_a.district_id == project_b.district_id:
        raise ValidationError(
            _("Both projects are in %(district)s: a conflict is between two districts.")
            % {"district": project_a.district.display_name}
        )
    if project_a.merged_into_id or project_b.merged_into_id:
        raise ValidationError(_("A merged project cannot be part of a new conflict."))
    pair = Q(project_a=project_a, project_b=project_b) | Q(project_a=project_b, project_b=project_a)
    if Conflict.objects.filter(pair, status=ConflictStatus.OPEN).exists():
        raise ValidationError(_("A conflict between these two projects is already open."))
    if origin not in ConflictOrigin.values:
        raise ValidationError(_("Unknown origin “%(value)s”.") % {"value": origin})
    conflict = Conflict.objects.create(
        project_a=project_a,
        project_b=project_b,
        district_a=project_a.district,
        district_b=project_b.district,
        origin=origin,
        note=(note or "").strip()[:500],
        opened_by=by if getattr(by, "pk", None) else None,
    )
    names = _names(conflict)
    notify(
        text=_("Conflict (撞车) opened between %(a)s and %(b)s; awaiting the city's ruling.")
        % names,
        link=_link(conflict),
        units=[*city_units(), conflict.district_a, conflict.district_b],
    )
    return conflict


def _share(value: Any, field: str) -> Decimal:
    try:
        share = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("“%(value)s” is not a percentage.") % {"value": value}}
        ) from None
    if not Decimal(0) < share < Decimal(100):
        raise ValidationError(
            {field: _("A share lies between 0 and 100 (“%(value)s”).") % {"value": value}}
        )
    return share.quantize(Decimal("0.01"))


@transaction.atomic
def conflict_rule(
    *,
    conflict: Conflict,
    ruling: str,
    reason: str,
    by,
    side: str = "",
    lead_share: Any = None,
    other_share: Any = None,
) -> Conflict:
    """Record the city's ruling and carry it out (see the module's docstring)."""
    if not may_rule(by):
        raise PermissionDeniedError(_("Only the city rules on conflicts."))
    conflict = Conflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.status != ConflictStatus.OPEN:
        raise ValidationError(_("This conflict has already been ruled."), code="ruled")
    if ruling not in Ruling.values:
        raise ValidationError({"ruling": _("Unknown ruling “%(value)s”.") % {"value": ruling}})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"ruling_reason": _("Give the reason for the ruling.")})
    needs_side = ruling in (Ruling.KEEP, Ruling.TRANSFER, Ruling.JOINT)
    if needs_side and side not in Side.values:
        raise ValidationError(
            {"ruling_side": _("Say which side the ruling names (the first or the second).")}
        )
    a = Project.all_objects.get(pk=conflict.project_a_id)
    b = Project.all_objects.get(pk=conflict.project_b_id)
    projects = {Side.A: a, Side.B: b}
    districts = {Side.A: conflict.district_a, Side.B: conflict.district_b}
    other = {Side.A: Side.B, Side.B: Side.A}
    if needs_side and (a.merged_into_id or b.merged_into_id):
        raise ValidationError(_("One of the projects has been merged since; undo that first."))

    conflict.ruling = ruling
    conflict.ruling_side = side if needs_side else ""
    conflict.ruling_reason = reason
    merge_note = _("Conflict ruling #%(id)s: %(reason)s") % {"id": conflict.pk, "reason": reason}

    if ruling == Ruling.KEEP:
        kept, merged = projects[side], projects[other[side]]
        _release_claims(merged, by, merge_note)
        conflict.merge = project_merge(
            kept=kept, merged=merged, by=by, reason=merge_note, check_permission=False
        )
    elif ruling == Ruling.TRANSFER:
        # The record moves to the receiving district (`side`) and absorbs that district's own.
        receiving = districts[side]
        moving, absorbed = projects[other[side]], projects[side]
        _release_claims(moving, by, merge_note)
        moving.refresh_from_db()
        moving.district = receiving
        if moving.responsible_unit_id and (moving.responsible_unit.district_id != receiving.pk):
            moving.responsible_unit = absorbed.responsible_unit or receiving
        moving._change_reason = "transfer"
        check_locked_periods(project=moving, by=by, action="update")  # 定版锁库 (reporting)
        save_tracked(instance=moving, by=by)
        conflict.merge = project_merge(
            kept=moving, merged=absorbed, by=by, reason=merge_note, check_permission=False
        )
    elif ruling == Ruling.JOINT:
        lead = _share(lead_share, "lead_share")
        rest = Decimal(100) - lead
        if other_share not in (None, ""):
            rest = _share(other_share, "other_share")
            if lead + rest != Decimal(100):
                raise ValidationError(
                    {
                        "other_share": _("The two shares must add up to 100 (%(a)s + %(b)s).")
                        % {"a": lead, "b": rest}
                    }
                )
        conflict.lead_share, conflict.other_share = lead, rest
        lead_project = projects[side]
        if lead_project.district_id != districts[side].pk:
            lead_project.refresh_from_db()
            lead_project.district = districts[side]
            lead_project._change_reason = "joint"
            check_locked_periods(project=lead_project, by=by, action="update")  # 定版锁库
            save_tracked(instance=lead_project, by=by)
        conflict.merge = project_merge(
            kept=lead_project,
            merged=projects[other[side]],
            by=by,
            reason=merge_note,
            check_permission=False,
        )
    elif ruling == Ruling.DISTINCT:
        for project in (a, b):
            project.refresh_from_db()
            project.duplicate_decision = DuplicateDecision.DISTINCT
            project.duplicate_reason = (_("City ruling: %(reason)s") % {"reason": reason})[:300]
            project._change_reason = "ruling"
            save_tracked(instance=project, by=by)
    conflict.status = ConflictStatus.RULED
    conflict.ruled_by = by
    conflict.ruled_at = timezone.now()
    conflict._history_user = by
    conflict.save()
    notify(
        text=_("The city ruled on the conflict between %(a)s and %(b)s: %(ruling)s.")
        % {**_names(conflict), "ruling": Ruling(ruling).label},
        link=_link(conflict),
        units=[conflict.district_a, conflict.district_b],
        users=[conflict.opened_by],
    )
    return conflict


def _release_claims(project: Project, by, reason: str) -> None:
    for claim in project.claims.filter(released_on__isnull=True):
        claim_services.claim_release(claim=claim, by=by, reason=reason)


# --- what each side may see ------------------------------------------------------------------


def side_view(conflict: Conflict, side: str, user) -> dict[str, Any]:
    """One side of a conflict as ``user`` may see it: always the district, stage and dates,
    and the claims' units and dates; the record (name, investor, amounts, evidence text) only
    when scoping lets the user see that project."""
    project, district = conflict.side_of(side)
    visible = scoping.visible_projects(user, Project.all_objects.filter(pk=project.pk)).exists()
    claims = claim_services.claims_of(project)
    view: dict[str, Any] = {
        "side": side,
        "district": district,
        "current_district": project.district,
        "stage": project.get_stage_display(),
        "stage_on": project.stage_on,
        "first_signed_on": project.first_signed_on,
        "reported_on": timezone.localdate(project.created_at),
        "merged_into_id": project.merged_into_id,
        "visible": visible,
        "project": project if visible else None,
        "claims": [
            {
                "unit": state.claim.unit.display_name,
                "claimed_on": state.claim.claimed_on,
                "kind": state.claim.get_evidence_kind_display(),
                "evidence": state.claim.evidence if visible else None,
                "document_ref": state.claim.document_ref if visible else None,
                "valid_until": state.valid_until,
                "state": state.label,
                "active": state.active,
            }
            for state in claims
        ],
    }
    return view


def open_conflicts_for(user) -> QuerySet[Conflict]:
    """Open conflicts naming the user's district (the city: every open one)."""
    return (
        visible_conflicts(user)
        .filter(status=ConflictStatus.OPEN)
        .select_related("district_a", "district_b")
    )

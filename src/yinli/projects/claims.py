"""首报首谈: claims on projects — who reported a project first, with what evidence, until when.

A claim is opened with every new project (the unit that entered it, that day, "首报"); more can
be recorded with evidence (a visit, a meeting, a document). It is valid for
``settings.CLAIM_VALID_MONTHS`` months (default 6) counted from the project's last progress —
its last stage change or visit, or the claim's own date if later — so "six months without
progress ends it". Nothing runs on a timer: the expiry is computed whenever a claim is read.
A ruling or a merge may release a claim (``released_on``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.models import OrgUnit
from yinli.core.services import PermissionDeniedError

from .models import Claim, EvidenceKind, Project, StageChange


def valid_months() -> int:
    return int(getattr(settings, "CLAIM_VALID_MONTHS", 6))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _visit_model():
    try:
        from django.apps import apps

        model = apps.get_model("fieldwork", "Visit")
    except LookupError:
        return None
    names = {field.name for field in model._meta.get_fields()}
    return model if {"project", "visited_on"} <= names else None


def with_progress(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """Claims annotated with ``last_progress_on``: the latest stage change, visit or claim date."""
    stage = (
        StageChange.objects.filter(project=OuterRef("project"))
        .order_by()
        .values("project")
        .annotate(last=Max("on"))
        .values("last")
    )
    parts = [Subquery(stage[:1])]
    visit = _visit_model()
    if visit is not None:
        visits = (
            visit.objects.filter(project=OuterRef("project"))
            .order_by()
            .values("project")
            .annotate(last=Max("visited_on"))
            .values("last")
        )
        parts.append(Subquery(visits[:1]))
    queryset = queryset.annotate(**{f"progress_{i}": part for i, part in enumerate(parts)})
    return queryset


@dataclass(frozen=True)
class ClaimState:
    claim: Claim
    last_progress_on: date
    valid_until: date
    expired: bool
    released: bool

    @property
    def active(self) -> bool:
        return not (self.expired or self.released)

    @property
    def label(self) -> str:
        if self.released:
            return _("Released")
        if self.expired:
            return _("Expired")
        return _("Valid")


def state_of(claim: Claim, *, today: date | None = None) -> ClaimState:
    """A claim read with its validity (uses the annotations of with_progress when present)."""
    today = today or timezone.localdate()
    dates = [claim.claimed_on]
    if "progress_0" in vars(claim):
        dates.extend(v for k, v in vars(claim).items() if k.startswith("progress_") and v)
    else:
        last = claim.project.stage_changes.aggregate(last=Max("on"))["last"]
        if last:
            dates.append(last)
        visit = _visit_model()
        if visit is not None:
            last = visit.objects.filter(project_id=claim.project_id).aggregate(
                last=Max("visited_on")
            )["last"]
            if last:
                dates.append(last)
    last_progress = max(dates)
    valid_until = add_months(last_progress, valid_months())
    return ClaimState(
        claim=claim,
        last_progress_on=last_progress,
        valid_until=valid_until,
        expired=valid_until < today,
        released=claim.released_on is not None,
    )


def claims_of(project: Project, *, today: date | None = None) -> list[ClaimState]:
    claims = with_progress(project.claims.select_related("unit", "district", "created_by"))
    return [state_of(claim, today=today) for claim in claims]


def holding_claim(project: Project, *, today: date | None = None) -> ClaimState | None:
    """The earliest claim still in force: the unit holding the project under 首报首谈."""
    for state in claims_of(project, today=today):
        if state.active:
            return state
    return None


def expired_claims(*, user=None, today: date | None = None) -> list[ClaimState]:
    """Unreleased claims past their validity, on projects the user may see."""
    queryset = Claim.objects.filter(released_on__isnull=True, project__deleted_at__isnull=True)
    if user is not None:
        queryset = queryset.filter(project__in=scoping.visible_projects(user).values("pk"))
    states = (state_of(c, today=today) for c in with_progress(queryset.select_related("unit")))
    return [state for state in states if state.expired]


def _clean_evidence(kind: str, evidence: str, document_ref: str) -> tuple[str, str, str]:
    if kind not in EvidenceKind.values:
        raise ValidationError(
            {"evidence_kind": _("Unknown kind of evidence “%(kind)s”.") % {"kind": kind}}
        )
    evidence = (evidence or "").strip()
    document_ref = (document_ref or "").strip()
    if kind != EvidenceKind.REPORT and not evidence:
        raise ValidationError(
            {"evidence": _("Describe the evidence (who met whom, when, what document).")}
        )
    return kind, evidence[:500], document_ref[:200]


@transaction.atomic
def claim_create(
    *,
    project: Project,
    by,
    unit: OrgUnit | None = None,
    claimed_on: date | None = None,
    evidence_kind: str = EvidenceKind.REPORT,
    evidence: str = "",
    document_ref: str = "",
) -> Claim:
    """Record a claim on a project for ``unit`` (default: the user's unit)."""
    if not (scoping.can_change_project(by, project) or getattr(by, "is_city_role", False)):
        raise PermissionDeniedError()
    unit = unit or getattr(by, "org_unit", None) or project.responsible_unit or project.district
    claimed_on = claimed_on or timezone.localdate()
    if claimed_on > timezone.localdate():
        raise ValidationError({"claimed_on": _("A claim cannot date from the future.")})
    kind, evidence, document_ref = _clean_evidence(evidence_kind, evidence, document_ref)
    return Claim.objects.create(
        project=project,
        unit=unit,
        district=unit.district if unit.district_id else project.district,
        claimed_on=claimed_on,
        evidence_kind=kind,
        evidence=evidence,
        document_ref=document_ref,
        created_by=by if getattr(by, "pk", None) else None,
    )


def _first_unit(project: Project, by) -> OrgUnit:
    unit = getattr(by, "org_unit", None)
    if unit is not None and unit.district_id == project.district_id:
        return unit
    return project.responsible_unit or project.district


def claim_for_new_project(*, project: Project, by) -> Claim:
    """The claim every new project opens: its reporting unit, today, "首报"."""
    return claims_for_new_projects(projects=[project], by=by)[0]


def claims_for_new_projects(*, projects: Iterable[Project], by, evidence: str = "") -> list[Claim]:
    """Open the first-report claim of many new projects at once (the ledger import calls it)."""
    rows = []
    for project in projects:
        unit = _first_unit(project, by)
        rows.append(
            Claim(
                project=project,
                unit=unit,
                district=project.district,
                claimed_on=timezone.localdate(project.created_at),
                evidence_kind=EvidenceKind.REPORT,
                evidence=evidence or _("First reported in Yinli"),
                created_by=by if getattr(by, "pk", None) else None,
            )
        )
    return Claim.objects.bulk_create(rows)


def claim_release(*, claim: Claim, by, reason: str, on: date | None = None) -> Claim:
    """End a claim before its time (a ruling gave the project to another unit)."""
    if claim.released_on is not None:
        return claim
    claim.released_on = on or timezone.localdate()
    claim.released_reason = (reason or "").strip()[:300]
    claim._history_user = by if getattr(by, "pk", None) else None
    claim.save(update_fields=["released_on", "released_reason"])
    return claim


__all__ = [
    "ClaimState",
    "add_months",
    "claim_create",
    "claim_for_new_project",
    "claim_release",
    "claims_for_new_projects",
    "claims_of",
    "expired_claims",
    "holding_claim",
    "state_of",
    "valid_months",
]

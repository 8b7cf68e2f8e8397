"""Duplicate warnings (撞车提示): does the investor of a would-be project already have one?

Every entry point — the project form, the import preview, the API — calls
:func:`duplicate_warnings` before a second record is written. It finds the company by its credit
code, or by a strong name match (:data:`STRONG_MATCH` or more on the scorer of
:mod:`yinli.companies.search`), and lists that company's live projects: "该投资方已在镇江经开区有项目
（负责单位、阶段、日期）". Nothing is blocked here; a person decides (:class:`Decision`): "a different
investment" (with a reason) or "the same project" (which opens a conflict — a later step).

What a warning shows follows the persona rule of 撞车: a district learns that a conflict exists
and with whom — the district, the responsible unit, the stage, the dates — but the record itself
(the project's name, its amounts) only when :func:`yinli.core.scoping.visible_projects` lets the
user see that project anyway.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinli.core import scoping
from yinli.core.models import OrgUnit
from yinli.core.names import normalize_company_name
from yinli.projects.models import Project, Stage, Status

from .models import Company
from .search import MatchKind, looks_like_uscc, search_candidates

__all__ = ["STRONG_MATCH", "Decision", "DuplicateWarning", "duplicate_warnings"]

#: A name match at or above this score (0–100) counts as the same investor.
STRONG_MATCH = 90
# How many name candidates are considered; a name rarely has more strong matches than this.
_NAME_CANDIDATES = 20


class Decision(models.TextChoices):
    """What the person entering the project answers to a warning."""

    DIFFERENT_INVESTMENT = "different_investment", gettext_lazy("A different investment")
    SAME_PROJECT = "same_project", gettext_lazy("The same project")


#: The decisions that need a reason written by the person.
DECISIONS_NEEDING_A_REASON = frozenset({Decision.DIFFERENT_INVESTMENT})


@dataclass(frozen=True)
class DuplicateWarning:
    """One existing project of the same investor, as far as the user may see it."""

    project_id: int  # to name it when the person answers "the same project"; opens nothing
    company_id: int
    company_name: str  # the registry is shared city-wide
    match_score: int
    match_reason: str
    district_id: int
    district_name: str
    responsible_unit_name: str
    stage: str
    stage_label: str
    status: str
    status_label: str
    stage_on: date | None  # when it reached its stage (else first signed, else reported)
    reported_on: date  # when it was first entered (首报)
    other_district: bool
    visible: bool  # whether the user may open the project; only then the fields below are set
    project_name: str | None
    total_investment: Decimal | None
    message: str
    decisions: tuple[str, ...] = field(
        default=(Decision.DIFFERENT_INVESTMENT.value, Decision.SAME_PROJECT.value)
    )
    decisions_needing_a_reason: tuple[str, ...] = field(
        default=(Decision.DIFFERENT_INVESTMENT.value,)
    )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class _Match:
    score: int
    reason: str


def _district_id(district: OrgUnit | int | None, user) -> int | None:
    if isinstance(district, OrgUnit):
        return district.pk
    if district is not None:
        return int(district)
    unit = getattr(user, "org_unit", None)
    return unit.district_id if unit is not None else None


def _matched_companies(company_name: str | None, uscc: str | None) -> dict[int, _Match]:
    """The companies meant, by id, with the best reason each; merged ones lead to the kept one."""
    matches: dict[int, _Match] = {}

    def keep(company_id: int, score: int, reason: str) -> None:
        if company_id not in matches or matches[company_id].score < score:
            matches[company_id] = _Match(score, reason)

    code = looks_like_uscc(uscc or "")
    if code is not None:
        for candidate in search_candidates(code, exclude_merged=False):
            keep(candidate.company_id, candidate.score, candidate.reason)
    if company_name and company_name.strip():
        key = normalize_company_name(company_name)
        strong = [
            candidate
            for candidate in search_candidates(
                company_name, limit=_NAME_CANDIDATES, exclude_merged=False
            )
            # Only the name itself: pinyin initials are too ambiguous to call a duplicate.
            if candidate.match == MatchKind.NAME and candidate.score >= STRONG_MATCH
        ]
        keys = dict(
            Company.all_objects.filter(pk__in=[c.company_id for c in strong]).values_list(
                "pk", "name_normalized"
            )
        )
        for candidate in strong:
            # The scorer rates a name found whole inside the other 90 ("科技" in "恒远光电科技"):
            # a duplicate needs the shorter name to be at least half the longer.
            other = keys.get(candidate.company_id, "")
            if 2 * min(len(key), len(other)) >= max(len(key), len(other)):
                keep(candidate.company_id, candidate.score, candidate.reason)
    # A merged company's projects moved to the one it was merged into: follow the chain.
    todo = list(matches)
    while todo:
        rows = Company.objects.filter(pk__in=todo, merged_into__isnull=False).values_list(
            "pk", "merged_into_id"
        )
        todo = []
        for pk, target in rows:
            if target not in matches:
                matches[target] = matches[pk]
                todo.append(target)
    return matches


def duplicate_warnings(
    *,
    company_name: str | None = None,
    uscc: str | None = None,
    district: OrgUnit | int | None = None,
    user,
    exclude_project_id: int | None = None,
) -> list[DuplicateWarning]:
    """The existing projects of the would-be project's investor, as ``user`` may learn of them.

    ``district`` is where the new project would land (default: the user's own district); the
    projects elsewhere come first. ``exclude_project_id`` is the project being edited.
    """
    if not scoping._active(user):
        return []
    matches = _matched_companies(company_name, uscc)
    if not matches:
        return []
    projects = (
        Project.objects.filter(company_id__in=matches, merged_into__isnull=True)
        .select_related("company", "district", "responsible_unit")
        .order_by("-stage_on", "-id")
    )
    if exclude_project_id is not None:
        projects = projects.exclude(pk=exclude_project_id)
    projects = list(projects)
    visible = set(
        scoping.visible_projects(
            user, Project.objects.filter(pk__in=[p.pk for p in projects])
        ).values_list("pk", flat=True)
    )
    home = _district_id(district, user)
    warnings = [
        _warning(project, matches[project.company_id], home, project.pk in visible)
        for project in projects
    ]
    warnings.sort(key=lambda w: (not w.other_district, -w.match_score))
    return warnings


def _warning(project: Project, match: _Match, home: int | None, visible: bool) -> DuplicateWarning:
    district = project.district
    unit = project.responsible_unit
    reported_on = timezone.localdate(project.created_at)
    stage_on = project.stage_on or project.first_signed_on
    stage_label = Stage(project.stage).label
    unit_name = unit.display_name if unit is not None else "—"
    params = {
        "district": district.display_name,
        "unit": unit_name,
        "stage": stage_label,
        "date": (stage_on or reported_on).isoformat(),
    }
    if visible:
        params["project"] = project.name
        message = (
            _(
                "This investor already has a project in %(district)s: “%(project)s” "
                "(responsible unit %(unit)s, stage %(stage)s, %(date)s)."
            )
            % params
        )
    else:
        message = (
            _(
                "This investor already has a project in %(district)s "
                "(responsible unit %(unit)s, stage %(stage)s, %(date)s)."
            )
            % params
        )
    return DuplicateWarning(
        project_id=project.pk,
        company_id=project.company_id,
        company_name=project.company.name,
        match_score=match.score,
        match_reason=match.reason,
        district_id=district.pk,
        district_name=district.display_name,
        responsible_unit_name=unit_name,
        stage=project.stage,
        stage_label=str(stage_label),
        status=project.status,
        status_label=str(Status(project.status).label),
        stage_on=stage_on,
        reported_on=reported_on,
        other_district=home is None or district.pk != home,
        visible=visible,
        project_name=project.name if visible else None,
        total_investment=project.total_investment if visible else None,
        message=message,
    )

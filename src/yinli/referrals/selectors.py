"""Reads of the referrals app: who sees which referral, evaluation and meeting; the ranked
district suggestions for a lead; the overdue responses.

Scope (built on yinli.core.scoping):
- city roles (and city-level viewers) see everything;
- a district's people see what was referred to their district (only their own part of a
  referral), the evaluations made by their district, and the meeting items that concern it;
- a city-level unit (the Beijing liaison office) sees the referrals it made, with every
  district's answer, and the evaluations of those leads;
- anyone else sees nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.models import OrgKind, OrgUnit, Role
from yinli.projects.models import Project, Stage

from .models import (
    DistrictProfile,
    Evaluation,
    Feedback,
    Referral,
    ReferralTarget,
    ReviewItem,
    ReviewMeeting,
    Scorecard,
    deadline_days,
)

REFERABLE_STAGES = (Stage.LEAD, Stage.NEGOTIATING)
HUNDRED = Decimal(100)


# --- Who may do what ------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _district_of(user) -> int | None:
    unit = user.org_unit if _active(user) else None
    return unit.district_id if unit is not None else None


def may_act_for_unit(user, unit: OrgUnit) -> bool:
    """Whether the user answers for `unit`: a city admin; a district's editors and team members
    for the district; the members of a city-level unit (and city roles for the city itself)."""
    if not _active(user):
        return False
    if scoping.changes_everything(user):
        return True
    own = user.org_unit
    if own is None or user.role == Role.VIEWER:
        return False
    if unit.district_id:
        return own.district_id == unit.district_id and user.role in (
            Role.DISTRICT_EDITOR,
            Role.TEAM_MEMBER,
        )
    if user.role == Role.CITY_ANALYST and unit.kind in (OrgKind.CITY, OrgKind.DEPARTMENT):
        return True
    return own.district_id is None and own.pk in scoping.unit_subtree_ids(unit.pk)


def may_refer(user) -> bool:
    """City-level units refer leads: the liaison office's members and the city roles."""
    if not _active(user) or user.org_unit is None:
        return False
    if scoping.changes_everything(user) or user.role == Role.CITY_ANALYST:
        return True
    return user.org_unit.district_id is None and user.role in (
        Role.TEAM_MEMBER,
        Role.DISTRICT_EDITOR,
    )


def may_manage_reference(user) -> bool:
    """District profiles, scorecards and review meetings belong to the city roles."""
    return _active(user) and (
        user.is_superuser or user.role in (Role.CITY_ADMIN, Role.CITY_ANALYST)
    )


# --- Scope ----------------------------------------------------------------------------------


def visible_targets(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = ReferralTarget.objects.all() if queryset is None else queryset
    queryset = queryset.filter(referral__deleted_at__isnull=True)
    if not _active(user):
        return queryset.none()
    if scoping.sees_everything(user):
        return queryset
    unit = user.org_unit
    if unit is None:
        return queryset.none()
    if unit.district_id:
        return queryset.filter(district_id=unit.district_id)
    return queryset.filter(referral__referring_unit_id__in=scoping.unit_subtree_ids(unit.pk))


def visible_referrals(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Referral.objects.all() if queryset is None else queryset
    return queryset.filter(pk__in=visible_targets(user).values("referral_id"))


def visible_evaluations(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Evaluation.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if scoping.sees_everything(user):
        return queryset
    unit = user.org_unit
    if unit is None:
        return queryset.none()
    if unit.district_id:
        return queryset.filter(unit__district_id=unit.district_id)
    own = scoping.unit_subtree_ids(unit.pk)
    return queryset.filter(
        Q(unit_id__in=own) | Q(referral_target__referral__referring_unit_id__in=own)
    )


def _item_filter(user) -> Q | None:
    """None: every item; otherwise the items that concern the user's unit."""
    if scoping.sees_everything(user):
        return None
    unit = user.org_unit
    if unit is None:
        return Q(pk__in=[])
    if unit.district_id:
        referred = ReferralTarget.objects.filter(
            district_id=unit.district_id, referral__deleted_at__isnull=True
        ).values("referral__lead_id")
        return (
            Q(follow_up_unit__district_id=unit.district_id)
            | Q(lead__district_id=unit.district_id)
            | Q(lead_id__in=referred)
        )
    own = scoping.unit_subtree_ids(unit.pk)
    referred = Referral.objects.filter(referring_unit_id__in=own).values("lead_id")
    return (
        Q(follow_up_unit_id__in=own)
        | Q(lead__responsible_unit_id__in=own)
        | Q(lead_id__in=referred)
        | Q(meeting__organiser_id__in=own)
    )


def visible_items(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = ReviewItem.objects.all() if queryset is None else queryset
    queryset = queryset.filter(meeting__deleted_at__isnull=True)
    if not _active(user):
        return queryset.none()
    condition = _item_filter(user)
    return queryset if condition is None else queryset.filter(condition)


def visible_meetings(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = ReviewMeeting.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if scoping.sees_everything(user):
        return queryset
    unit = user.org_unit
    condition = Q(pk__in=visible_items(user).values("meeting_id"))
    if unit is not None and unit.district_id is None:
        condition |= Q(organiser_id__in=scoping.unit_subtree_ids(unit.pk))
    return queryset.filter(condition)


def referable_leads(user) -> QuerySet:
    """The leads a user may refer: live projects at 线索 or 洽谈 she sees, not merged."""
    if not may_refer(user):
        return Project.objects.none()
    return scoping.visible_projects(
        user,
        Project.objects.filter(stage__in=REFERABLE_STAGES, merged_into__isnull=True),
    )


def active_scorecards() -> QuerySet:
    return Scorecard.objects.filter(active=True)


def default_scorecard() -> Scorecard | None:
    return active_scorecards().order_by("-is_default", "name").first()


def districts() -> QuerySet:
    return OrgUnit.objects.filter(kind=OrgKind.DISTRICT, valid_to__isnull=True)


# --- Suggestions ------------------------------------------------------------------------------


@dataclass
class FitContext:
    """What the fit rules look at, loaded once for every district."""

    lead: Project
    land_need: Decimal | None
    profiles: dict[int, DistrictProfile]
    profile_industries: dict[int, set[int]]
    same_industry: dict[int, dict[str, int]]  # district id → {"count", "signed"}

    @property
    def most_same_industry(self) -> int:
        return max((row["count"] for row in self.same_industry.values()), default=0)


@dataclass
class FitPart:
    points: Decimal
    max_points: Decimal
    reason: str


@dataclass
class Suggestion:
    district: OrgUnit
    score: int
    parts: list[FitPart] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [part.reason for part in self.parts if part.reason]


FitRule = Callable[[FitContext, OrgUnit], FitPart | None]
FIT_RULES: list[FitRule] = []


def fit_rule(func: FitRule) -> FitRule:
    """Register a fit rule. The industry-chain issue adds its own here (a rule comparing the
    lead's chain node with the chains a district covers); a rule answering None is skipped."""
    FIT_RULES.append(func)
    return func


INDUSTRY_POINTS = Decimal(50)
LAND_POINTS = Decimal(30)
RECORD_POINTS = Decimal(20)


def _directions_from_text(district: OrgUnit) -> set[str]:
    return {line.strip() for line in district.industry_directions.splitlines() if line.strip()}


@fit_rule
def industry_fit(context: FitContext, district: OrgUnit) -> FitPart:
    industry = context.lead.industry
    if industry is None:
        return FitPart(
            Decimal(0), INDUSTRY_POINTS, _("The lead has no industry direction to compare.")
        )
    if district.pk in context.profiles:
        matches = industry.pk in context.profile_industries.get(district.pk, set())
    else:
        matches = industry.name in _directions_from_text(district)
    if matches:
        return FitPart(
            INDUSTRY_POINTS,
            INDUSTRY_POINTS,
            _("Its industry directions include %(industry)s.") % {"industry": industry.name},
        )
    if district.pk not in context.profiles and not district.industry_directions.strip():
        return FitPart(
            Decimal(0), INDUSTRY_POINTS, _("No industry directions recorded for this district.")
        )
    return FitPart(
        Decimal(0),
        INDUSTRY_POINTS,
        _("%(industry)s is not among its industry directions.") % {"industry": industry.name},
    )


def _mu(value: Decimal) -> str:
    return f"{value.normalize():f}"


@fit_rule
def land_fit(context: FitContext, district: OrgUnit) -> FitPart:
    need = context.land_need
    profile = context.profiles.get(district.pk)
    available = profile.land_available_mu if profile else None
    price = ""
    if profile and profile.land_price_wan_per_mu is not None:
        price = _("; land at about %(price)s万元 per mu") % {
            "price": _mu(profile.land_price_wan_per_mu)
        }
    if need is None:
        return FitPart(Decimal(0), LAND_POINTS, _("The lead's land need is not recorded."))
    if need <= 0:
        return FitPart(LAND_POINTS, LAND_POINTS, _("The lead needs no land."))
    if available is None:
        return FitPart(Decimal(0), LAND_POINTS, _("No land available recorded for this district."))
    if available >= need:
        return FitPart(
            LAND_POINTS,
            LAND_POINTS,
            _("%(available)s mu of land available covers the %(need)s mu needed")
            % {"available": _mu(available), "need": _mu(need)}
            + price
            + "。",
        )
    return FitPart(
        LAND_POINTS * available / need,
        LAND_POINTS,
        _("%(available)s mu of land available, short of the %(need)s mu needed")
        % {"available": _mu(available), "need": _mu(need)}
        + price
        + "。",
    )


@fit_rule
def record_fit(context: FitContext, district: OrgUnit) -> FitPart | None:
    industry = context.lead.industry
    if industry is None:
        return None
    row = context.same_industry.get(district.pk, {"count": 0, "signed": 0})
    most = context.most_same_industry
    points = RECORD_POINTS * row["count"] / most if most else Decimal(0)
    if not row["count"]:
        reason = _("No %(industry)s projects in this district yet.") % {"industry": industry.name}
    else:
        reason = _("%(count)s %(industry)s projects in this district (%(signed)s signed).") % {
            "count": row["count"],
            "industry": industry.name,
            "signed": row["signed"],
        }
    return FitPart(Decimal(points), RECORD_POINTS, reason)


def fit_context(*, lead: Project, land_need: Decimal | None) -> FitContext:
    profiles = {p.district_id: p for p in DistrictProfile.objects.all()}
    profile_industries: dict[int, set[int]] = {}
    through = DistrictProfile.industries.through
    for district_id, industry_id in through.objects.values_list(
        "districtprofile__district_id", "industry_id"
    ):
        profile_industries.setdefault(district_id, set()).add(industry_id)
    same_industry: dict[int, dict[str, int]] = {}
    if lead.industry_id:
        rows = (
            Project.objects.filter(industry_id=lead.industry_id, merged_into__isnull=True)
            .exclude(pk=lead.pk)
            .order_by()
            .values("district_id")
            .annotate(count=Count("id"), signed=Count("first_signed_on"))
        )
        same_industry = {
            row["district_id"]: {"count": row["count"], "signed": row["signed"]} for row in rows
        }
    return FitContext(
        lead=lead,
        land_need=land_need,
        profiles=profiles,
        profile_industries=profile_industries,
        same_industry=same_industry,
    )


def suggest_districts(*, lead: Project, land_need: Decimal | None = None) -> list[Suggestion]:
    """Every current district ranked by its fit for the lead, best first, with the reasons.

    The score (0–100) is the points of the fit rules over their maximum: industry directions 50,
    land 30, past projects of the same industry 20 (relative to the district that has most).
    Ties go to the district with more projects of the industry, then the organisation order.
    """
    if land_need is None:
        land_need = lead.land_mu
    context = fit_context(lead=lead, land_need=land_need)
    suggestions = []
    for district in districts().order_by("sort_order", "code"):
        parts = [part for rule in FIT_RULES if (part := rule(context, district)) is not None]
        most = sum((p.max_points for p in parts), Decimal(0))
        got = sum((p.points for p in parts), Decimal(0))
        score = int((HUNDRED * got / most).quantize(Decimal(1), ROUND_HALF_UP)) if most else 0
        suggestions.append(Suggestion(district=district, score=score, parts=parts))
    order = {d.pk: i for i, d in enumerate(s.district for s in suggestions)}
    suggestions.sort(
        key=lambda s: (
            -s.score,
            -context.same_industry.get(s.district.pk, {}).get("count", 0),
            order[s.district.pk],
        )
    )
    return suggestions


# --- Deadlines --------------------------------------------------------------------------------


def reference_day() -> date:
    """Today, or the demo city's reference date (its pages open on its own days)."""
    from django.conf import settings
    from django.utils import timezone

    from yinli.demo.services import is_demo_city

    if is_demo_city():
        return date.fromisoformat(getattr(settings, "DEMO_REFERENCE_DATE", "2025-08-10"))
    return timezone.localdate()


STEPS = ("acknowledge", "evaluate", "feedback")


def step_label(step: str) -> str:
    return {
        "acknowledge": _("acknowledge"),
        "evaluate": _("evaluate"),
        "feedback": _("feed back"),
    }[step]


@dataclass
class OverdueItem:
    target: ReferralTarget
    step: str
    due_on: date
    days_late: int

    @property
    def step_label(self) -> str:
        return step_label(self.step)


def _open_step(step: str) -> Q:
    if step == "acknowledge":
        return Q(acknowledged_at__isnull=True, feedback="")
    if step == "evaluate":
        return Q(evaluated_at__isnull=True, feedback="")
    return Q(feedback="")


def overdue_targets(*, user, today: date, queryset: QuerySet | None = None) -> list[OverdueItem]:
    """Every response the user can see that is past its deadline on `today`, most late first.

    A step is due `deadline_days()[step]` days after the referral date and overdue from the day
    after; a district's feedback closes the steps it skipped.
    """
    days = deadline_days()
    base = visible_targets(user, queryset).select_related(
        "district", "referral__lead", "referral__referring_unit"
    )
    items = []
    for step in STEPS:
        late = base.filter(_open_step(step)).filter(
            referral__referred_on__lt=today - timedelta(days=days[step])
        )
        for target in late:
            due = target.referral.referred_on + timedelta(days=days[step])
            items.append(OverdueItem(target, step, due, (today - due).days))
    items.sort(key=lambda item: (-item.days_late, item.target.pk, STEPS.index(item.step)))
    return items


@dataclass
class OverdueTarget:
    """One district's late answers to one referral, the steps together."""

    target: ReferralTarget
    steps: list[OverdueItem]

    @property
    def days_late(self) -> int:
        return max(item.days_late for item in self.steps)

    @property
    def step_labels(self) -> str:
        return "、".join(str(item.step_label) for item in self.steps)


def overdue_by_target(items: list[OverdueItem]) -> list[OverdueTarget]:
    """The overdue steps grouped by referred district, most late first."""
    grouped: dict[int, OverdueTarget] = {}
    for item in items:
        grouped.setdefault(item.target.pk, OverdueTarget(item.target, [])).steps.append(item)
    for group in grouped.values():
        group.steps.sort(key=lambda item: STEPS.index(item.step))
    return sorted(grouped.values(), key=lambda group: (-group.days_late, group.target.pk))


def overdue_follow_ups(*, user, today: date) -> QuerySet:
    """Review meeting follow-ups past their deadline and not done."""
    return (
        visible_items(user)
        .filter(follow_up_due__lt=today, follow_up_done_on__isnull=True)
        .select_related("meeting", "lead", "follow_up_unit")
        .order_by("follow_up_due", "id")
    )


def lead_overview(*, user, lead: Project, today: date) -> dict:
    """What the lead's page shows: its referrals (as the user may see them), evaluations and
    the overdue responses."""
    targets = (
        visible_targets(user)
        .filter(referral__lead=lead)
        .select_related("district", "referral__referring_unit")
    )
    return {
        "targets": list(targets),
        "evaluations": list(
            visible_evaluations(user).filter(lead=lead).select_related("unit", "scorecard")
        ),
        "overdue": overdue_targets(user=user, today=today, queryset=targets),
    }


def feedback_done(target: ReferralTarget) -> bool:
    return target.feedback in Feedback.values

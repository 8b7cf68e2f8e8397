"""Writes of the referrals app. Views and the API call these; each checks who may act.

- District profiles, scorecards and review meetings: city roles.
- A referral: a city-level unit (the liaison office) or a city role, for a lead it sees.
- Acknowledge, evaluate, feed back: the referred district's editors and team members (or a
  city admin); a district never answers for another.

The referred districts are notified in the app (yinli.core.notifications) of a referral, the
referring unit of each district's feedback.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.models import OrgKind, OrgUnit
from yinli.core.notifications import notify
from yinli.core.services import PermissionDeniedError, save_tracked
from yinli.projects.models import Industry, Project, Stage

from . import selectors
from .models import (
    Criterion,
    Decision,
    DistrictProfile,
    Evaluation,
    Feedback,
    Referral,
    ReferralTarget,
    ReviewItem,
    ReviewMeeting,
    Score,
    Scorecard,
    TargetStatus,
)
from .scoring import evaluation_result

# --- District profiles ------------------------------------------------------------------------


@transaction.atomic
def profile_save(
    *,
    district: OrgUnit,
    by,
    industries: list[Industry] | None = None,
    land_available_mu: Decimal | None = None,
    land_price_wan_per_mu: Decimal | None = None,
    notes: str = "",
    version: int | None = None,
) -> DistrictProfile:
    """Create or change a district's profile (city roles)."""
    if not selectors.may_manage_reference(by):
        raise PermissionDeniedError(_("Only the city keeps the district profiles."))
    if district.kind != OrgKind.DISTRICT:
        raise ValidationError(
            {"district": _("%(unit)s is not a district or park.") % {"unit": district}}
        )
    for field, value in (
        ("land_available_mu", land_available_mu),
        ("land_price_wan_per_mu", land_price_wan_per_mu),
    ):
        if value is not None and value < 0:
            raise ValidationError(
                {field: _("This cannot be negative (%(value)s).") % {"value": value}}
            )
    profile = DistrictProfile.all_objects.filter(district=district).first()
    if profile is None:
        profile = DistrictProfile(district=district)
    elif version is None:
        version = profile.version
    profile.land_available_mu = land_available_mu
    profile.land_price_wan_per_mu = land_price_wan_per_mu
    profile.notes = (notes or "").strip()
    profile.deleted_at = None
    save_tracked(instance=profile, by=by, expected_version=version if profile.pk else None)
    if industries is not None:
        profile.industries.set(industries)
    return profile


# --- Referrals --------------------------------------------------------------------------------


def _check_lead(lead: Project) -> None:
    if lead.is_deleted:
        raise ValidationError(_("The project is deleted; restore it first."), code="deleted")
    if lead.merged_into_id:
        raise ValidationError(
            _("This project was merged into another; refer that one instead."), code="merged"
        )
    if lead.stage not in selectors.REFERABLE_STAGES:
        raise ValidationError(
            _("Only a lead or a project in negotiation is referred; this one is at %(stage)s.")
            % {"stage": Stage(lead.stage).label},
            code="stage",
        )


@transaction.atomic
def referral_create(
    *,
    lead: Project,
    districts: list[OrgUnit],
    by,
    referred_on: date | None = None,
    land_needed_mu: Decimal | None = None,
    note: str = "",
) -> Referral:
    """Refer a lead to one or more districts, keeping each district's fit as it was then."""
    if not selectors.may_refer(by):
        raise PermissionDeniedError(
            _("Only a city-level unit (such as a liaison office) refers leads to districts.")
        )
    if not scoping.can_see_project(by, lead):
        raise PermissionDeniedError(_("You may not refer a project you cannot see."))
    _check_lead(lead)
    today = timezone.localdate()
    referred_on = referred_on or today
    if referred_on > today:
        raise ValidationError(
            {
                "referred_on": _("A referral cannot be dated in the future (%(on)s).")
                % {"on": referred_on}
            }
        )
    if land_needed_mu is not None and land_needed_mu < 0:
        raise ValidationError(
            {
                "land_needed_mu": _("This cannot be negative (%(value)s).")
                % {"value": land_needed_mu}
            }
        )
    chosen: list[OrgUnit] = []
    for district in districts:
        if district.kind != OrgKind.DISTRICT or district.valid_to is not None:
            raise ValidationError(
                {"districts": _("%(unit)s is not a current district or park.") % {"unit": district}}
            )
        if district not in chosen:
            chosen.append(district)
    if not chosen:
        raise ValidationError(
            {"districts": _("Choose at least one district to refer the lead to.")}
        )
    open_targets = ReferralTarget.objects.filter(
        referral__lead=lead, referral__deleted_at__isnull=True, district__in=chosen
    ).exclude(feedback=Feedback.DECLINE)
    already = sorted({str(t.district) for t in open_targets.select_related("district")})
    if already:
        raise ValidationError(
            {
                "districts": _("The lead is already referred to %(districts)s.")
                % {"districts": "、".join(already)}
            }
        )
    referral = Referral(
        lead=lead,
        referring_unit=by.org_unit,
        referred_by=by,
        referred_on=referred_on,
        land_needed_mu=land_needed_mu,
        note=(note or "").strip(),
    )
    save_tracked(instance=referral, by=by)
    fits = {
        s.district.pk: s
        for s in selectors.suggest_districts(lead=lead, land_need=referral.land_need)
    }
    for district in chosen:
        fit = fits.get(district.pk)
        target = ReferralTarget(
            referral=referral,
            district=district,
            fit_score=fit.score if fit else None,
            fit_reasons=fit.reasons if fit else [],
        )
        save_tracked(instance=target, by=by)
    notify(
        text=_("%(unit)s referred the lead “%(lead)s” to you; acknowledge it by %(due)s.")
        % {
            "unit": referral.referring_unit,
            "lead": lead.name,
            "due": referral.targets.first().due_on("acknowledge"),
        },
        link=reverse("referrals:detail", args=[referral.pk]),
        units=chosen,
    )
    return referral


def _check_target_actor(target: ReferralTarget, by) -> None:
    if not selectors.may_act_for_unit(by, target.district):
        raise PermissionDeniedError(
            _("Only %(district)s answers this referral.") % {"district": target.district}
        )


@transaction.atomic
def referral_acknowledge(
    *, target: ReferralTarget, by, version: int, now: datetime | None = None
) -> ReferralTarget:
    """The district confirms it received the referral (签收)."""
    _check_target_actor(target, by)
    if target.acknowledged_at is not None:
        raise ValidationError(_("This referral is already acknowledged."), code="done")
    target.acknowledged_at = now or timezone.now()
    target.acknowledged_by = by
    if target.status == TargetStatus.REFERRED:
        target.status = TargetStatus.ACKNOWLEDGED
    target._change_reason = "acknowledge"
    return save_tracked(instance=target, by=by, expected_version=version)


@transaction.atomic
def referral_feedback(
    *,
    target: ReferralTarget,
    feedback: str,
    reason: str,
    by,
    version: int,
    now: datetime | None = None,
) -> ReferralTarget:
    """The district's answer: accept the lead, or decline it with the reason."""
    _check_target_actor(target, by)
    if feedback not in Feedback.values:
        raise ValidationError({"feedback": _("Choose accept or decline.")})
    if target.feedback:
        raise ValidationError(_("This district has already given its feedback."), code="done")
    reason = (reason or "").strip()
    if feedback == Feedback.DECLINE and not reason:
        raise ValidationError({"feedback_reason": _("Give the reason for declining.")})
    now = now or timezone.now()
    if target.acknowledged_at is None:
        target.acknowledged_at = now
        target.acknowledged_by = by
    target.feedback = feedback
    target.feedback_reason = reason
    target.fed_back_at = now
    target.fed_back_by = by
    target.status = TargetStatus.ACCEPTED if feedback == Feedback.ACCEPT else TargetStatus.DECLINED
    target._change_reason = "feedback"
    save_tracked(instance=target, by=by, expected_version=version)
    referral = target.referral
    if feedback == Feedback.ACCEPT:
        text = _("%(district)s accepted the lead “%(lead)s”.") % {
            "district": target.district,
            "lead": referral.lead.name,
        }
    else:
        text = _("%(district)s declined the lead “%(lead)s”: %(reason)s") % {
            "district": target.district,
            "lead": referral.lead.name,
            "reason": reason,
        }
    notify(
        text=text,
        link=reverse("referrals:detail", args=[referral.pk]),
        units=[referral.referring_unit],
    )
    return target


# --- Evaluations ------------------------------------------------------------------------------


@transaction.atomic
def evaluation_create(
    *,
    by,
    lead: Project | None = None,
    unit: OrgUnit | None = None,
    referral_target: ReferralTarget | None = None,
    scorecard: Scorecard | None = None,
) -> Evaluation:
    """Open an evaluation of a lead by a unit: for a referral, by the referred district."""
    if referral_target is not None:
        lead = referral_target.referral.lead
        unit = referral_target.district
    if lead is None or unit is None:
        raise ValidationError(_("Name the lead and the unit that evaluates it."))
    if not selectors.may_act_for_unit(by, unit):
        raise PermissionDeniedError(_("You may not evaluate for %(unit)s.") % {"unit": unit})
    if referral_target is None and not scoping.can_see_project(by, lead):
        raise PermissionDeniedError(_("You may not evaluate a project you cannot see."))
    if lead.is_deleted:
        raise ValidationError(_("The project is deleted; restore it first."), code="deleted")
    scorecard = scorecard or selectors.default_scorecard()
    if scorecard is None or not scorecard.active:
        raise ValidationError({"scorecard": _("Choose a scorecard in use.")})
    if not scorecard.criteria.exists():
        raise ValidationError(
            {"scorecard": _("The scorecard %(name)s has no criteria.") % {"name": scorecard}}
        )
    open_one = Evaluation.objects.filter(lead=lead, unit=unit, decision="").exists()
    if open_one:
        raise ValidationError(
            _("%(unit)s already has an open evaluation of this lead.") % {"unit": unit},
            code="open",
        )
    evaluation = Evaluation(
        lead=lead, unit=unit, scorecard=scorecard, referral_target=referral_target
    )
    return save_tracked(instance=evaluation, by=by)


def may_score(user, evaluation: Evaluation) -> bool:
    """The evaluating unit's people; for a referral also the referring office (joint)."""
    if selectors.may_act_for_unit(user, evaluation.unit):
        return True
    target = evaluation.referral_target
    return target is not None and selectors.may_act_for_unit(user, target.referral.referring_unit)


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ValidationError({field: _('"%(value)s" is not a number.') % {"value": value}})
    return number


@transaction.atomic
def evaluation_score(
    *,
    evaluation: Evaluation,
    by,
    values: dict[Criterion | int | str, Any],
    notes: dict[Criterion | int | str, str] | None = None,
) -> list[Score]:
    """Record (or correct) the user's own scores; an empty value removes hers for a criterion."""
    if not may_score(by, evaluation):
        raise PermissionDeniedError(
            _("You may not score for %(unit)s.") % {"unit": evaluation.unit}
        )
    if evaluation.decision:
        raise ValidationError(_("The evaluation is decided; its scores are closed."), code="closed")
    criteria = {c.pk: c for c in evaluation.scorecard.criteria.all()}
    by_name = {c.name: c for c in criteria.values()}
    notes = notes or {}
    errors: dict[str, list[str]] = {}
    rows: list[tuple[Criterion, Decimal | None, str]] = []
    for key, raw in values.items():
        criterion = key if isinstance(key, Criterion) else None
        if criterion is None:
            criterion = criteria.get(key) if isinstance(key, int) else None
            if criterion is None and isinstance(key, str):
                criterion = by_name.get(key) or (criteria.get(int(key)) if key.isdigit() else None)
        if criterion is None or criterion.pk not in criteria:
            errors.setdefault("scores", []).append(
                _("%(criterion)s is not a criterion of %(scorecard)s.")
                % {"criterion": key, "scorecard": evaluation.scorecard}
            )
            continue
        if raw is None or str(raw).strip() == "":
            rows.append((criterion, None, ""))
            continue
        try:
            value = _decimal(raw, criterion.name)
        except ValidationError as error:
            errors.setdefault(criterion.name, []).extend(error.messages)
            continue
        note = notes.get(key) or notes.get(criterion.pk) or notes.get(criterion.name) or ""
        rows.append((criterion, value, str(note).strip()[:300]))
    if errors:
        raise ValidationError(errors)
    saved = []
    for criterion, value, note in rows:
        existing = Score.objects.filter(evaluation=evaluation, evaluator=by, criterion=criterion)
        if value is None:
            existing.delete()
            continue
        score, _created = Score.objects.update_or_create(
            evaluation=evaluation,
            evaluator=by,
            criterion=criterion,
            defaults={"value": value, "note": note},
        )
        saved.append(score)
    evaluation._change_reason = "score"
    save_tracked(instance=evaluation, by=by)
    return saved


@transaction.atomic
def evaluation_decide(
    *,
    evaluation: Evaluation,
    decision: str,
    reason: str,
    by,
    version: int,
    now: datetime | None = None,
) -> Evaluation:
    """Record the decision. 推进 needs every criterion scored and, past a failed threshold, a
    reason naming why; every other decision needs its reason."""
    if not selectors.may_act_for_unit(by, evaluation.unit):
        raise PermissionDeniedError(
            _("Only %(unit)s decides this evaluation.") % {"unit": evaluation.unit}
        )
    if evaluation.decision:
        raise ValidationError(_("The evaluation is already decided."), code="done")
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    reason = (reason or "").strip()
    result = evaluation_result(evaluation)
    if decision == Decision.ADVANCE:
        if not result.complete:
            raise ValidationError(
                {
                    "decision": _("To advance, every criterion needs a score; missing: %(names)s.")
                    % {"names": "、".join(c.name for c in result.missing) or "—"}
                }
            )
        if result.failed and not reason:
            raise ValidationError(
                {
                    "decision_reason": _(
                        "The lead fails the threshold of %(names)s; say why it still advances."
                    )
                    % {"names": "、".join(result.failed_names)}
                }
            )
    elif not reason:
        raise ValidationError({"decision_reason": _("Give the reason for this decision.")})
    now = now or timezone.now()
    evaluation.decision = decision
    evaluation.decision_reason = reason
    evaluation.decided_at = now
    evaluation.decided_by = by
    evaluation.total_at_decision = result.total
    evaluation.failed_at_decision = result.failed_names
    evaluation._change_reason = "decide"
    save_tracked(instance=evaluation, by=by, expected_version=version)
    target = evaluation.referral_target
    if target is not None and target.evaluated_at is None:
        target.evaluated_at = now
        if target.acknowledged_at is None:
            target.acknowledged_at = now
            target.acknowledged_by = by
        if target.status in (TargetStatus.REFERRED, TargetStatus.ACKNOWLEDGED):
            target.status = TargetStatus.EVALUATED
        target._change_reason = "evaluate"
        save_tracked(instance=target, by=by)
    return evaluation


# --- Review meetings --------------------------------------------------------------------------


def _check_meeting_actor(by) -> None:
    if not selectors.may_manage_reference(by):
        raise PermissionDeniedError(_("Only the city organises review meetings."))


@transaction.atomic
def meeting_save(
    *,
    by,
    data: dict[str, Any],
    meeting: ReviewMeeting | None = None,
    version: int | None = None,
) -> ReviewMeeting:
    _check_meeting_actor(by)
    allowed = {"title", "held_on", "organiser", "place", "chair", "attendees", "notes"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    meeting = meeting or ReviewMeeting()
    for field, value in data.items():
        setattr(meeting, field, value.strip() if isinstance(value, str) else value)
    if meeting.organiser_id is None and by.org_unit_id:
        meeting.organiser = by.org_unit
    if not meeting.title:
        raise ValidationError({"title": _("Give the meeting a title.")})
    if meeting.held_on is None:
        raise ValidationError({"held_on": _("Give the date of the meeting.")})
    if meeting.organiser_id is None:
        raise ValidationError({"organiser": _("Name the organising unit.")})
    return save_tracked(instance=meeting, by=by, expected_version=version if meeting.pk else None)


@transaction.atomic
def meeting_item_save(
    *,
    meeting: ReviewMeeting,
    lead: Project,
    by,
    decision: str = "",
    decision_reason: str = "",
    follow_up_unit: OrgUnit | None = None,
    follow_up_person: str = "",
    follow_up_due: date | None = None,
    follow_up_done_on: date | None = None,
) -> ReviewItem:
    """Put a lead on the meeting's list, or change its decision and follow-up."""
    _check_meeting_actor(by)
    if lead.is_deleted:
        raise ValidationError({"lead": _("The project is deleted; restore it first.")})
    if decision and decision not in Decision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    decision_reason = (decision_reason or "").strip()
    if decision and decision != Decision.ADVANCE and not decision_reason:
        raise ValidationError({"decision_reason": _("Give the reason for this decision.")})
    if follow_up_due and follow_up_due < meeting.held_on:
        raise ValidationError(
            {
                "follow_up_due": _("The follow-up deadline %(due)s is before the meeting (%(on)s).")
                % {"due": follow_up_due, "on": meeting.held_on}
            }
        )
    if (follow_up_person or follow_up_due) and follow_up_unit is None:
        raise ValidationError({"follow_up_unit": _("Name the unit that follows up.")})
    item = ReviewItem.objects.filter(meeting=meeting, lead=lead).first()
    if item is None:
        item = ReviewItem(meeting=meeting, lead=lead, sort_order=meeting.items.count() + 1)
    item.decision = decision
    item.decision_reason = decision_reason
    item.follow_up_unit = follow_up_unit
    item.follow_up_person = (follow_up_person or "").strip()
    item.follow_up_due = follow_up_due
    item.follow_up_done_on = follow_up_done_on
    item._history_user = by
    item.save()
    meeting._change_reason = "items"
    save_tracked(instance=meeting, by=by)
    return item


@transaction.atomic
def meeting_item_remove(*, item: ReviewItem, by) -> None:
    _check_meeting_actor(by)
    meeting = item.meeting
    item._history_user = by
    item.delete()
    save_tracked(instance=meeting, by=by)

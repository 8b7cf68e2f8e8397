"""Referrals (引荐), district suggestions, responses, evaluations (综合评估), scorecards and review
meetings (信息过堂会).

Reads go through yinli.referrals.selectors (a district sees what was referred to it, the referring
office what it referred, the city everything); what is outside is 404. Writes go through
yinli.referrals.services: 403 when the user may see but not act (a district answering for
another), 409 on a stale version, 422 on bad input.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from yinli.core import scoping
from yinli.projects.models import Project
from yinli.referrals import selectors, services
from yinli.referrals.models import (
    Decision,
    Evaluation,
    Feedback,
    Referral,
    ReferralTarget,
    ReviewMeeting,
    Scorecard,
    TargetStatus,
)
from yinli.referrals.scoring import evaluation_result

from .lookups import Resolver
from .schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    IdOrCode,
    NamedRef,
    Number,
    Page,
    PageQuery,
    UnitRef,
    ValidationErrorOut,
    VersionIn,
    WriteSchema,
    paginate,
    unit_ref,
)

router = Router(tags=["referrals"])

TargetStatusCode = Literal[tuple(TargetStatus.values)]
FeedbackCode = Literal[tuple(Feedback.values)]
DecisionCode = Literal[tuple(Decision.values)]
Step = Literal["acknowledge", "evaluate", "feedback"]


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment else None


# --- Output -------------------------------------------------------------------------------


class LeadRef(Schema):
    id: int
    name: str
    stage: str
    industry: NamedRef | None
    total_investment_wan: Number | None
    land_mu: Number | None


class Due(Schema):
    acknowledge: date
    evaluate: date
    feedback: date


class TargetOut(Schema):
    id: int
    version: int
    district: UnitRef
    status: TargetStatusCode
    status_label: str
    fit_score: int | None = Field(description="The district's fit (0–100) when referred.")
    fit_reasons: list[str]
    due: Due = Field(description="The response deadlines (YINLI_REFERRAL_DEADLINES).")
    overdue: list[Step] = Field(description="Steps past their deadline today.")
    acknowledged_at: datetime | None
    evaluated_at: datetime | None
    feedback: FeedbackCode | Literal[""]
    feedback_reason: str
    fed_back_at: datetime | None


class ReferralOut(Schema):
    id: int
    version: int
    lead: LeadRef
    referring_unit: UnitRef
    referred_by: NamedRef
    referred_on: date
    land_needed_mu: Number | None = Field(description="Land the investor needs, in 亩.")
    note: str
    targets: list[TargetOut] = Field(description="The districts' parts the user may see.")
    created_at: datetime


class ReferralPage(Page):
    items: list[ReferralOut]


class SuggestionOut(Schema):
    district: UnitRef
    score: int = Field(description="Fit, 0–100.")
    reasons: list[str]


class OverdueOut(Schema):
    referral: int
    target: int
    lead: str
    district: UnitRef
    step: Step
    step_label: str
    due_on: date
    days_late: int


def _lead_ref(lead: Project) -> dict:
    return {
        "id": lead.pk,
        "name": lead.name,
        "stage": lead.stage,
        "industry": {"id": lead.industry.pk, "name": lead.industry.name} if lead.industry else None,
        "total_investment_wan": lead.total_investment,
        "land_mu": lead.land_mu,
    }


def _target_data(target: ReferralTarget, late: set[tuple[int, str]]) -> dict:
    return {
        "id": target.pk,
        "version": target.version,
        "district": unit_ref(target.district),
        "status": target.status,
        "status_label": str(target.get_status_display()),
        "fit_score": target.fit_score,
        "fit_reasons": list(target.fit_reasons or []),
        "due": {step: target.due_on(step) for step in selectors.STEPS},
        "overdue": [step for step in selectors.STEPS if (target.pk, step) in late],
        "acknowledged_at": _local(target.acknowledged_at),
        "evaluated_at": _local(target.evaluated_at),
        "feedback": target.feedback,
        "feedback_reason": target.feedback_reason,
        "fed_back_at": _local(target.fed_back_at),
    }


def _referral_data(request: HttpRequest, referral: Referral) -> dict:
    user = request.auth
    targets = list(
        selectors.visible_targets(user)
        .filter(referral=referral)
        .select_related("district", "referral")
    )
    late = {
        (item.target.pk, item.step)
        for item in selectors.overdue_targets(
            user=user,
            today=selectors.reference_day(),
            queryset=ReferralTarget.objects.filter(referral=referral),
        )
    }
    return {
        "id": referral.pk,
        "version": referral.version,
        "lead": _lead_ref(referral.lead),
        "referring_unit": unit_ref(referral.referring_unit),
        "referred_by": {"id": referral.referred_by.pk, "name": str(referral.referred_by)},
        "referred_on": referral.referred_on,
        "land_needed_mu": referral.land_needed_mu,
        "note": referral.note,
        "targets": [_target_data(t, late) for t in targets],
        "created_at": _local(referral.created_at),
    }


def _referrals(user):
    return selectors.visible_referrals(user).select_related(
        "lead__industry", "referring_unit", "referred_by"
    )


def _referral(request: HttpRequest, referral_id: int) -> Referral:
    referral = _referrals(request.auth).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    return referral


def _target(request: HttpRequest, target_id: int) -> ReferralTarget:
    target = (
        selectors.visible_targets(request.auth)
        .select_related("district", "referral__lead", "referral__referring_unit")
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise Http404
    return target


# --- Referrals ------------------------------------------------------------------------------


class ReferralQuery(PageQuery):
    status: TargetStatusCode | None = Field(
        None, description="Only referrals with a district part in this status."
    )
    lead: int | None = Field(None, description="Only the referrals of this lead (project id).")


@router.get("/referrals", response={200: ReferralPage, 422: ValidationErrorOut, **READ_ERRORS})
def referral_list(request: HttpRequest, filters: Query[ReferralQuery]):
    """Referrals the user may see, newest first: a district those referred to it (with its own
    part only), the referring office its own, the city all."""
    queryset = _referrals(request.auth)
    if filters.status:
        queryset = queryset.filter(
            pk__in=selectors.visible_targets(request.auth)
            .filter(status=filters.status)
            .values("referral_id")
        )
    if filters.lead:
        queryset = queryset.filter(lead_id=filters.lead)
    page = paginate(queryset.order_by("-referred_on", "-id"), filters)
    page["items"] = [_referral_data(request, r) for r in page["items"]]
    return page


@router.get("/referrals/overdue", response={200: list[OverdueOut], **READ_ERRORS})
def referral_overdue(request: HttpRequest, today: date | None = None):
    """Responses past their deadline on `today` (default: today; in the demo city its
    reference date), most late first."""
    items = selectors.overdue_targets(user=request.auth, today=today or selectors.reference_day())
    return [
        {
            "referral": item.target.referral_id,
            "target": item.target.pk,
            "lead": item.target.referral.lead.name,
            "district": unit_ref(item.target.district),
            "step": item.step,
            "step_label": str(item.step_label),
            "due_on": item.due_on,
            "days_late": item.days_late,
        }
        for item in items
    ]


@router.get(
    "/referrals/suggestions",
    response={200: list[SuggestionOut], **READ_ERRORS},
)
def referral_suggestions(
    request: HttpRequest,
    lead: int,
    land_needed_mu: float | None = Query(None, description="Override the project's land (亩)."),
):
    """Every current district ranked by fit for the lead, with the reasons in Chinese."""
    if not selectors.may_refer(request.auth):
        raise Http404
    project = selectors.referable_leads(request.auth).filter(pk=lead).first()
    if project is None:
        raise Http404
    need = Decimal(str(land_needed_mu)) if land_needed_mu is not None else None
    return [
        {"district": unit_ref(s.district), "score": s.score, "reasons": s.reasons}
        for s in selectors.suggest_districts(lead=project, land_need=need)
    ]


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **READ_ERRORS})
def referral_detail(request: HttpRequest, referral_id: int):
    return _referral_data(request, _referral(request, referral_id))


class ReferralCreate(WriteSchema):
    lead: int = Field(description="The project (at 线索 or 洽谈) to refer.")
    districts: list[IdOrCode] = Field(description="Districts: ids, codes or exact names.")
    referred_on: date | None = Field(None, description="Default today.")
    land_needed_mu: Number | None = Field(
        None, description="Land the investor needs (亩); default the project's land."
    )
    note: str = ""


@router.post("/referrals", response={201: ReferralOut, **WRITE_ERRORS})
def referral_create(request: HttpRequest, payload: ReferralCreate):
    """Refer a lead to one or more districts; each district's fit is kept with its part."""
    user = request.auth
    lead = scoping.visible_projects(user, Project.objects).filter(pk=payload.lead).first()
    resolve = Resolver()
    if lead is None:
        resolve.fail("lead", _("There is no project with id %(value)s.") % {"value": payload.lead})
    districts = [resolve.district("districts", value) for value in payload.districts]
    resolve.check()
    referral = services.referral_create(
        lead=lead,
        districts=[d for d in districts if d is not None],
        by=user,
        referred_on=payload.referred_on,
        land_needed_mu=payload.land_needed_mu,
        note=payload.note,
    )
    return HttpStatus(201, _referral_data(request, _referral(request, referral.pk)))


@router.post(
    "/referrals/targets/{target_id}/acknowledge", response={200: ReferralOut, **WRITE_ERRORS}
)
def referral_acknowledge(request: HttpRequest, target_id: int, payload: VersionIn):
    """The district confirms receipt (签收)."""
    target = _target(request, target_id)
    services.referral_acknowledge(target=target, by=request.auth, version=payload.version)
    return _referral_data(request, _referral(request, target.referral_id))


class FeedbackIn(WriteSchema):
    feedback: FeedbackCode
    reason: str = Field("", description="Required when declining.")
    version: int


@router.post("/referrals/targets/{target_id}/feedback", response={200: ReferralOut, **WRITE_ERRORS})
def referral_feedback(request: HttpRequest, target_id: int, payload: FeedbackIn):
    """The district accepts the lead, or declines it with the reason."""
    target = _target(request, target_id)
    services.referral_feedback(
        target=target,
        feedback=payload.feedback,
        reason=payload.reason,
        by=request.auth,
        version=payload.version,
    )
    return _referral_data(request, _referral(request, target.referral_id))


# --- Scorecards -----------------------------------------------------------------------------


class BandOut(Schema):
    lower: Number | None = Field(description="From (inclusive); null: no lower bound.")
    upper: Number | None = Field(description="Up to (exclusive); null: no upper bound.")
    points: Number


class CriterionOut(Schema):
    id: int
    name: str
    unit: str
    weight: Number
    direction: Literal["higher", "lower"]
    method: Literal["bands", "linear"]
    scale_min: Number | None
    scale_max: Number | None
    threshold: Number | None = Field(description="A value past it fails the lead outright.")
    bands: list[BandOut]
    help_text: str


class ScorecardOut(Schema):
    id: int
    name: str
    description: str
    is_default: bool
    active: bool
    criteria: list[CriterionOut]


def _scorecard_data(scorecard: Scorecard) -> dict:
    return {
        "id": scorecard.pk,
        "name": scorecard.name,
        "description": scorecard.description,
        "is_default": scorecard.is_default,
        "active": scorecard.active,
        "criteria": [
            {
                "id": c.pk,
                "name": c.name,
                "unit": c.unit,
                "weight": c.weight,
                "direction": c.direction,
                "method": c.method,
                "scale_min": c.scale_min,
                "scale_max": c.scale_max,
                "threshold": c.threshold,
                "bands": [
                    {"lower": b.lower, "upper": b.upper, "points": b.points} for b in c.bands.all()
                ],
                "help_text": c.help_text,
            }
            for c in scorecard.criteria.all()
        ],
    }


@router.get("/scorecards", response={200: list[ScorecardOut], **READ_ERRORS})
def scorecard_list(request: HttpRequest):
    """Every scorecard with its criteria (the default first)."""
    return [_scorecard_data(s) for s in Scorecard.objects.prefetch_related("criteria__bands")]


# --- Evaluations ----------------------------------------------------------------------------


class CriterionResultOut(Schema):
    criterion: str
    weight: Number
    values: dict[str, Number] = Field(description="Each evaluator's value, by user name.")
    mean: Number | None
    points: Number | None = Field(description="0–100 points of the mean value.")
    failed: bool


class EvaluationOut(Schema):
    id: int
    version: int
    lead: LeadRef
    unit: UnitRef
    scorecard: NamedRef
    referral_target: int | None
    criteria: list[CriterionResultOut]
    total: Number | None = Field(description="Weighted total, 0–100, from the current scores.")
    complete: bool = Field(description="Every criterion has at least one score.")
    failed_thresholds: list[str]
    evaluator_totals: dict[str, Number | None]
    decision: DecisionCode | Literal[""]
    decision_label: str
    decision_reason: str
    decided_at: datetime | None
    total_at_decision: Number | None
    created_at: datetime


class EvaluationPage(Page):
    items: list[EvaluationOut]


def _evaluation_data(evaluation: Evaluation) -> dict:
    result = evaluation_result(evaluation)
    names = {u.pk: u.username for u in result.evaluators}
    return {
        "id": evaluation.pk,
        "version": evaluation.version,
        "lead": _lead_ref(evaluation.lead),
        "unit": unit_ref(evaluation.unit),
        "scorecard": {"id": evaluation.scorecard.pk, "name": evaluation.scorecard.name},
        "referral_target": evaluation.referral_target_id,
        "criteria": [
            {
                "criterion": row.criterion.name,
                "weight": row.criterion.weight,
                "values": {names[k]: v for k, v in row.values.items()},
                "mean": row.mean,
                "points": row.points,
                "failed": row.failed,
            }
            for row in result.criteria
        ],
        "total": result.total,
        "complete": result.complete,
        "failed_thresholds": result.failed_names,
        "evaluator_totals": {names[k]: v for k, v in result.evaluator_totals.items()},
        "decision": evaluation.decision,
        "decision_label": str(evaluation.get_decision_display()) if evaluation.decision else "",
        "decision_reason": evaluation.decision_reason,
        "decided_at": _local(evaluation.decided_at),
        "total_at_decision": evaluation.total_at_decision,
        "created_at": _local(evaluation.created_at),
    }


def _evaluations(user):
    return selectors.visible_evaluations(user).select_related("lead__industry", "unit", "scorecard")


def _evaluation(request: HttpRequest, evaluation_id: int) -> Evaluation:
    evaluation = _evaluations(request.auth).filter(pk=evaluation_id).first()
    if evaluation is None:
        raise Http404
    return evaluation


class EvaluationQuery(PageQuery):
    lead: int | None = None
    decided: bool | None = None


@router.get("/evaluations", response={200: EvaluationPage, 422: ValidationErrorOut, **READ_ERRORS})
def evaluation_list(request: HttpRequest, filters: Query[EvaluationQuery]):
    queryset = _evaluations(request.auth).order_by("-created_at", "-id")
    if filters.lead:
        queryset = queryset.filter(lead_id=filters.lead)
    if filters.decided is not None:
        queryset = (
            queryset.exclude(decision="") if filters.decided else queryset.filter(decision="")
        )
    page = paginate(queryset, filters)
    page["items"] = [_evaluation_data(e) for e in page["items"]]
    return page


@router.get("/evaluations/{evaluation_id}", response={200: EvaluationOut, **READ_ERRORS})
def evaluation_detail(request: HttpRequest, evaluation_id: int):
    return _evaluation_data(_evaluation(request, evaluation_id))


class EvaluationCreate(WriteSchema):
    referral_target: int | None = Field(
        None, description="A referred district's part: that district evaluates the lead."
    )
    lead: int | None = Field(None, description="Without referral_target: the project.")
    unit: IdOrCode | None = Field(
        None, description="Without referral_target: the evaluating unit (default: your own)."
    )
    scorecard: IdOrCode | None = Field(None, description="Scorecard id or name; default one.")


@router.post("/evaluations", response={201: EvaluationOut, **WRITE_ERRORS})
def evaluation_create(request: HttpRequest, payload: EvaluationCreate):
    """Open an evaluation. A district evaluates only for itself (403 otherwise)."""
    user = request.auth
    resolve = Resolver()
    target = lead = unit = scorecard = None
    if payload.referral_target is not None:
        target = selectors.visible_targets(user).filter(pk=payload.referral_target).first()
        if target is None:
            raise Http404
    else:
        if payload.lead is None:
            resolve.fail("lead", _("Name the lead or the referral."))
        else:
            lead = scoping.visible_projects(user, Project.objects).filter(pk=payload.lead).first()
            if lead is None:
                resolve.fail(
                    "lead", _("There is no project with id %(value)s.") % {"value": payload.lead}
                )
        if payload.unit is not None:
            unit = resolve.unit("unit", payload.unit)
        elif user.org_unit is not None:
            unit = user.org_unit.district or user.org_unit
    if payload.scorecard is not None:
        scorecard = resolve.model(
            "scorecard",
            payload.scorecard,
            Scorecard.objects.all(),
            code=None,
            missing=_('There is no scorecard "%(value)s".'),
        )
    resolve.check()
    evaluation = services.evaluation_create(
        by=user, lead=lead, unit=unit, referral_target=target, scorecard=scorecard
    )
    return HttpStatus(201, _evaluation_data(_evaluation(request, evaluation.pk)))


class ScoresIn(WriteSchema):
    scores: dict[str, Number | None] = Field(
        description="Criterion name (or id) → your value; null removes your score."
    )
    notes: dict[str, str] = Field(default_factory=dict)


@router.post("/evaluations/{evaluation_id}/scores", response={200: EvaluationOut, **WRITE_ERRORS})
def evaluation_score(request: HttpRequest, evaluation_id: int, payload: ScoresIn):
    """Record your own scores (each evaluator scores for herself)."""
    evaluation = _evaluation(request, evaluation_id)
    services.evaluation_score(
        evaluation=evaluation, by=request.auth, values=payload.scores, notes=payload.notes
    )
    return _evaluation_data(_evaluation(request, evaluation_id))


class DecisionIn(WriteSchema):
    decision: DecisionCode
    reason: str = Field("", description="Required unless advancing a lead that passed.")
    version: int


@router.post("/evaluations/{evaluation_id}/decision", response={200: EvaluationOut, **WRITE_ERRORS})
def evaluation_decide(request: HttpRequest, evaluation_id: int, payload: DecisionIn):
    evaluation = _evaluation(request, evaluation_id)
    services.evaluation_decide(
        evaluation=evaluation,
        decision=payload.decision,
        reason=payload.reason,
        by=request.auth,
        version=payload.version,
    )
    return _evaluation_data(_evaluation(request, evaluation_id))


# --- Review meetings ------------------------------------------------------------------------


class ReviewItemOut(Schema):
    id: int
    lead: LeadRef
    decision: DecisionCode | Literal[""]
    decision_label: str
    decision_reason: str
    follow_up_unit: UnitRef | None
    follow_up_person: str
    follow_up_due: date | None
    follow_up_done_on: date | None


class MeetingOut(Schema):
    id: int
    version: int
    title: str
    held_on: date
    organiser: UnitRef
    place: str
    chair: str
    attendees: str
    notes: str
    items: list[ReviewItemOut] = Field(description="The items the user may see.")


class MeetingPage(Page):
    items: list[MeetingOut]


def _meeting_data(user, meeting: ReviewMeeting) -> dict:
    items = (
        selectors.visible_items(user)
        .filter(meeting=meeting)
        .select_related("lead__industry", "follow_up_unit")
    )
    return {
        "id": meeting.pk,
        "version": meeting.version,
        "title": meeting.title,
        "held_on": meeting.held_on,
        "organiser": unit_ref(meeting.organiser),
        "place": meeting.place,
        "chair": meeting.chair,
        "attendees": meeting.attendees,
        "notes": meeting.notes,
        "items": [
            {
                "id": item.pk,
                "lead": _lead_ref(item.lead),
                "decision": item.decision,
                "decision_label": str(item.get_decision_display()) if item.decision else "",
                "decision_reason": item.decision_reason,
                "follow_up_unit": unit_ref(item.follow_up_unit),
                "follow_up_person": item.follow_up_person,
                "follow_up_due": item.follow_up_due,
                "follow_up_done_on": item.follow_up_done_on,
            }
            for item in items
        ],
    }


def _meeting(request: HttpRequest, meeting_id: int) -> ReviewMeeting:
    meeting = (
        selectors.visible_meetings(request.auth)
        .select_related("organiser")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


@router.get("/meetings", response={200: MeetingPage, 422: ValidationErrorOut, **READ_ERRORS})
def meeting_list(request: HttpRequest, filters: Query[PageQuery]):
    queryset = (
        selectors.visible_meetings(request.auth)
        .select_related("organiser")
        .order_by("-held_on", "-id")
    )
    page = paginate(queryset, filters)
    page["items"] = [_meeting_data(request.auth, m) for m in page["items"]]
    return page


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **READ_ERRORS})
def meeting_detail(request: HttpRequest, meeting_id: int):
    return _meeting_data(request.auth, _meeting(request, meeting_id))


class MeetingIn(WriteSchema):
    title: str
    held_on: date
    organiser: IdOrCode | None = Field(None, description="Default: your unit.")
    place: str = ""
    chair: str = ""
    attendees: str = ""
    notes: str = ""


@router.post("/meetings", response={201: MeetingOut, **WRITE_ERRORS})
def meeting_create(request: HttpRequest, payload: MeetingIn):
    """A review meeting (信息过堂会 / 研判会); city roles."""
    resolve = Resolver()
    data: dict[str, Any] = payload.model_dump()
    data["organiser"] = resolve.unit("organiser", payload.organiser)
    resolve.check()
    if data["organiser"] is None:
        data.pop("organiser")
    meeting = services.meeting_save(by=request.auth, data=data)
    return HttpStatus(201, _meeting_data(request.auth, _meeting(request, meeting.pk)))


class ReviewItemIn(WriteSchema):
    lead: int
    decision: DecisionCode | Literal[""] = ""
    decision_reason: str = ""
    follow_up_unit: IdOrCode | None = None
    follow_up_person: str = ""
    follow_up_due: date | None = None
    follow_up_done_on: date | None = None


@router.post("/meetings/{meeting_id}/items", response={200: MeetingOut, **WRITE_ERRORS})
def meeting_item_save(request: HttpRequest, meeting_id: int, payload: ReviewItemIn):
    """Put a lead on the meeting's list, or change its decision and follow-up."""
    meeting = _meeting(request, meeting_id)
    resolve = Resolver()
    lead = scoping.visible_projects(request.auth, Project.objects).filter(pk=payload.lead).first()
    if lead is None:
        resolve.fail("lead", _("There is no project with id %(value)s.") % {"value": payload.lead})
    unit = resolve.unit("follow_up_unit", payload.follow_up_unit)
    resolve.check()
    services.meeting_item_save(
        meeting=meeting,
        lead=lead,
        by=request.auth,
        decision=payload.decision,
        decision_reason=payload.decision_reason,
        follow_up_unit=unit,
        follow_up_person=payload.follow_up_person,
        follow_up_due=payload.follow_up_due,
        follow_up_done_on=payload.follow_up_done_on,
    )
    return _meeting_data(request.auth, _meeting(request, meeting_id))

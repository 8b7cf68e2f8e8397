"""Pages of the referrals app: referrals, suggestions, responses, evaluations, scorecards,
district profiles and review meetings.

Every read goes through yinli.referrals.selectors (built on yinli.core.scoping): what the user
may not see is a 404, what she sees but may not act on a 403. Writes go through services.py.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinli.core import scoping
from yinli.core.models import OrgUnit
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.web.fields import apply_service_errors

from . import selectors, services
from .forms import (
    DecisionForm,
    EvaluationLeadForm,
    EvaluationStartForm,
    FeedbackForm,
    MeetingForm,
    ProfileForm,
    ReferralForm,
    ReviewItemForm,
    ScoreForm,
)
from .models import (
    DistrictProfile,
    Evaluation,
    Referral,
    ReferralTarget,
    Scorecard,
    TargetStatus,
)
from .scoring import evaluation_result

PER_PAGE = 50

STALE_MESSAGE = gettext_lazy(
    "This record was changed by someone else after you opened it; your change was not saved. "
    "Reload the page to see the current values."
)


def _today():
    """The day deadlines are judged on: today, or the demo city's reference date."""
    return selectors.reference_day()


# --- Referrals --------------------------------------------------------------------------------


STATUS_FILTERS = {
    "open": {"feedback": ""},
    "accepted": {"status": TargetStatus.ACCEPTED},
    "declined": {"status": TargetStatus.DECLINED},
}


def referral_list(request):
    user = request.user
    status = request.GET.get("status", "")
    targets = selectors.visible_targets(user).select_related(
        "district", "referral__lead__industry", "referral__referring_unit", "referral__referred_by"
    )
    if status in STATUS_FILTERS:
        targets = targets.filter(**STATUS_FILTERS[status])
    targets = targets.order_by("-referral__referred_on", "-referral_id", "district__sort_order")
    page = Paginator(targets, PER_PAGE).get_page(request.GET.get("page"))
    overdue = selectors.overdue_targets(user=user, today=_today())
    late = {(item.target.pk, item.step) for item in overdue}
    return render(
        request,
        "referrals/referral_list.html",
        {
            "page": page,
            "status": status,
            "overdue_count": len(overdue),
            "late": {pk for pk, _step in late},
            "may_refer": selectors.may_refer(user),
            "may_manage": selectors.may_manage_reference(user),
        },
    )


def _decimal_param(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text not in (None, "") else None
    except InvalidOperation:
        return None


def referral_create(request):
    user = request.user
    if not selectors.may_refer(user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    initial = {"referred_on": timezone.localdate()}
    if request.GET.get("lead"):
        initial["lead"] = request.GET["lead"]
    form = ReferralForm(data, initial=initial, user=user)
    lead_id = (data or request.GET).get("lead")
    lead = form.fields["lead"].queryset.filter(pk=lead_id).first() if lead_id else None
    land = _decimal_param((data or request.GET).get("land_needed_mu"))
    suggestions = selectors.suggest_districts(lead=lead, land_need=land) if lead else []
    chosen = {str(v) for v in (data.getlist("districts") if data else [])}
    if data is not None and form.is_valid():
        try:
            referral = services.referral_create(
                lead=form.cleaned_data["lead"],
                districts=list(form.cleaned_data["districts"]),
                by=user,
                referred_on=form.cleaned_data.get("referred_on"),
                land_needed_mu=form.cleaned_data.get("land_needed_mu"),
                note=form.cleaned_data["note"],
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(lead)s” was referred to %(districts)s.")
                % {
                    "lead": referral.lead.name,
                    "districts": "、".join(t.district.name for t in referral.targets.all()),
                },
            )
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "lead": lead, "suggestions": suggestions, "chosen": chosen},
    )


def _visible_referral(request, pk: int) -> Referral:
    queryset = selectors.visible_referrals(request.user).select_related(
        "lead__industry", "lead__company", "lead__district", "referring_unit", "referred_by"
    )
    return get_object_or_404(queryset, pk=pk)


def referral_detail(request, pk: int):
    user = request.user
    referral = _visible_referral(request, pk)
    today = _today()
    targets = list(
        selectors.visible_targets(user)
        .filter(referral=referral)
        .select_related("district", "acknowledged_by", "fed_back_by")
        .prefetch_related("evaluations")
    )
    overdue = selectors.overdue_targets(
        user=user, today=today, queryset=ReferralTarget.objects.filter(referral=referral)
    )
    late: dict[int, list[str]] = {}
    for item in overdue:
        late.setdefault(item.target.pk, []).append(item.step_label)
    rows = []
    for target in targets:
        rows.append(
            {
                "target": target,
                "late": late.get(target.pk, []),
                "due": {step: target.due_on(step) for step in selectors.STEPS},
                "may_act": selectors.may_act_for_unit(user, target.district),
                "evaluations": list(target.evaluations.all()),
                "feedback_form": FeedbackForm(initial={"version": target.version}),
            }
        )
    is_referrer = selectors.may_act_for_unit(
        user, referral.referring_unit
    ) or scoping.sees_everything(user)
    suggestions = (
        selectors.suggest_districts(lead=referral.lead, land_need=referral.land_need)
        if is_referrer
        else []
    )
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "rows": rows,
            "suggestions": suggestions,
            "lead_visible": scoping.can_see_project(user, referral.lead),
            "today": today,
        },
    )


def _visible_target(request, pk: int, *, act: bool = True) -> ReferralTarget:
    queryset = selectors.visible_targets(request.user).select_related(
        "district", "referral__lead", "referral__referring_unit"
    )
    target = get_object_or_404(queryset, pk=pk)
    if act and not selectors.may_act_for_unit(request.user, target.district):
        raise PermissionDenied
    return target


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@require_POST
def target_acknowledge(request, pk: int):
    target = _visible_target(request, pk)
    try:
        services.referral_acknowledge(
            target=target, by=request.user, version=_version(request) or target.version
        )
    except StaleWriteError:
        messages.error(request, STALE_MESSAGE)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Referral acknowledged."))
    return redirect("referrals:detail", pk=target.referral_id)


def target_feedback(request, pk: int):
    target = _visible_target(request, pk)
    form = FeedbackForm(request.POST or None, initial={"version": target.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_feedback(
                target=target,
                feedback=form.cleaned_data["feedback"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                version=form.cleaned_data["version"],
            )
        except StaleWriteError:
            form.add_error(None, STALE_MESSAGE)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            apply_service_errors(form, error, {"feedback_reason": "reason"})
        else:
            messages.success(request, _("Feedback recorded."))
            return redirect("referrals:detail", pk=target.referral_id)
    return render(request, "referrals/feedback_form.html", {"form": form, "target": target})


@require_POST
def target_evaluate(request, pk: int):
    """Open the district's evaluation of a referred lead (or go to the open one)."""
    target = _visible_target(request, pk)
    existing = target.evaluations.filter(decision="").first()
    if existing is not None:
        return redirect("referrals:evaluation", pk=existing.pk)
    form = EvaluationStartForm(request.POST)
    scorecard = form.cleaned_data["scorecard"] if form.is_valid() else None
    try:
        evaluation = services.evaluation_create(
            referral_target=target, scorecard=scorecard, by=request.user
        )
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("referrals:detail", pk=target.referral_id)
    return redirect("referrals:evaluation", pk=evaluation.pk)


def overdue_list(request):
    user = request.user
    today = _today()
    return render(
        request,
        "referrals/overdue_list.html",
        {
            "items": selectors.overdue_targets(user=user, today=today),
            "follow_ups": selectors.overdue_follow_ups(user=user, today=today),
            "today": today,
        },
    )


# --- Evaluations ------------------------------------------------------------------------------


def evaluation_list(request):
    user = request.user
    evaluations = (
        selectors.visible_evaluations(user)
        .select_related("lead", "unit", "scorecard", "decided_by")
        .order_by("-created_at", "-id")
    )
    page = Paginator(evaluations, PER_PAGE).get_page(request.GET.get("page"))
    own_unit = _evaluating_unit(user)
    return render(
        request,
        "referrals/evaluation_list.html",
        {"page": page, "may_start": own_unit is not None},
    )


def _evaluating_unit(user) -> OrgUnit | None:
    """The unit a user evaluates for when she opens an evaluation herself."""
    unit = getattr(user, "org_unit", None)
    if unit is None:
        return None
    unit = unit.district or unit
    return unit if selectors.may_act_for_unit(user, unit) else None


def evaluation_create(request):
    """Open an evaluation of a lead the user sees, for her own district or unit."""
    user = request.user
    unit = _evaluating_unit(user)
    if unit is None:
        raise PermissionDenied
    form = EvaluationLeadForm(
        request.POST or None, user=user, initial={"lead": request.GET.get("lead")}
    )
    start = EvaluationStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and start.is_valid():
        try:
            evaluation = services.evaluation_create(
                lead=form.cleaned_data["lead"],
                unit=unit,
                scorecard=start.cleaned_data["scorecard"],
                by=user,
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            apply_service_errors(start, error)
        else:
            return redirect("referrals:evaluation", pk=evaluation.pk)
    return render(
        request,
        "referrals/evaluation_form.html",
        {"form": form, "start": start, "unit": unit},
    )


def _visible_evaluation(request, pk: int) -> Evaluation:
    queryset = selectors.visible_evaluations(request.user).select_related(
        "lead__industry", "unit", "scorecard", "decided_by", "referral_target__referral"
    )
    return get_object_or_404(queryset, pk=pk)


def evaluation_detail(request, pk: int):
    user = request.user
    evaluation = _visible_evaluation(request, pk)
    result = evaluation_result(evaluation)
    may_score = services.may_score(user, evaluation) and not evaluation.decision
    may_decide = selectors.may_act_for_unit(user, evaluation.unit) and not evaluation.decision
    score_form = decision_form = None
    if may_score:
        mine = {s.criterion_id: s.value for s in evaluation.scores.filter(evaluator=user)}
        score_form = ScoreForm(
            request.POST if request.POST.get("action") == "score" else None,
            evaluation=evaluation,
            mine=mine,
        )
        if score_form.is_bound and score_form.is_valid():
            try:
                services.evaluation_score(
                    evaluation=evaluation, by=user, values=score_form.values()
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except ValidationError as error:
                _score_errors(score_form, evaluation, error)
            else:
                messages.success(request, _("Your scores are saved."))
                return redirect("referrals:evaluation", pk=pk)
    if may_decide:
        decision_form = DecisionForm(
            request.POST if request.POST.get("action") == "decide" else None,
            initial={"version": evaluation.version},
        )
        if decision_form.is_bound and decision_form.is_valid():
            try:
                services.evaluation_decide(
                    evaluation=evaluation,
                    decision=decision_form.cleaned_data["decision"],
                    reason=decision_form.cleaned_data["reason"],
                    by=user,
                    version=decision_form.cleaned_data["version"],
                )
            except StaleWriteError:
                decision_form.add_error(None, STALE_MESSAGE)
            except PermissionDeniedError:
                raise PermissionDenied from None
            except ValidationError as error:
                apply_service_errors(decision_form, error, {"decision_reason": "reason"})
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("referrals:evaluation", pk=pk)
    if request.method == "POST" and not (may_score or may_decide):
        raise PermissionDenied
    return render(
        request,
        "referrals/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "result": result,
            "score_form": score_form,
            "decision_form": decision_form,
            "lead_visible": scoping.can_see_project(user, evaluation.lead),
        },
    )


def _score_errors(form, evaluation, error: ValidationError) -> None:
    names = {c.name: f"c{c.pk}" for c in evaluation.scorecard.criteria.all()}
    apply_service_errors(form, error, names)


# --- Scorecards and district profiles ----------------------------------------------------------


def scorecard_list(request):
    scorecards = Scorecard.objects.prefetch_related("criteria__bands")
    return render(
        request,
        "referrals/scorecard_list.html",
        {"scorecards": scorecards, "is_admin": scoping.changes_everything(request.user)},
    )


def profile_list(request):
    districts = selectors.districts().order_by("sort_order", "code")
    profiles = {p.district_id: p for p in DistrictProfile.objects.prefetch_related("industries")}
    rows = [{"district": d, "profile": profiles.get(d.pk)} for d in districts]
    return render(
        request,
        "referrals/profile_list.html",
        {"rows": rows, "may_manage": selectors.may_manage_reference(request.user)},
    )


def profile_edit(request, district_pk: int):
    user = request.user
    if not selectors.may_manage_reference(user):
        raise PermissionDenied
    district = get_object_or_404(selectors.districts(), pk=district_pk)
    profile = DistrictProfile.objects.filter(district=district).first()
    initial = {}
    if profile is not None:
        initial = {
            "industries": list(profile.industries.all()),
            "land_available_mu": profile.land_available_mu,
            "land_price_wan_per_mu": profile.land_price_wan_per_mu,
            "notes": profile.notes,
            "version": profile.version,
        }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_save(
                district=district,
                by=user,
                industries=list(data["industries"]),
                land_available_mu=data["land_available_mu"],
                land_price_wan_per_mu=data["land_price_wan_per_mu"],
                notes=data["notes"],
                version=data.get("version"),
            )
        except StaleWriteError:
            form.add_error(None, STALE_MESSAGE)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Profile of %(district)s saved.") % {"district": district})
            return redirect("referrals:profiles")
    return render(request, "referrals/profile_form.html", {"form": form, "district": district})


# --- Review meetings --------------------------------------------------------------------------


def meeting_list(request):
    meetings = selectors.visible_meetings(request.user).select_related("organiser")
    page = Paginator(meetings.order_by("-held_on", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "referrals/meeting_list.html",
        {"page": page, "may_manage": selectors.may_manage_reference(request.user)},
    )


def meeting_edit(request, pk: int | None = None):
    user = request.user
    if not selectors.may_manage_reference(user):
        raise PermissionDenied
    meeting = None
    initial = {"held_on": timezone.localdate(), "organiser": user.org_unit_id}
    if pk is not None:
        meeting = get_object_or_404(selectors.visible_meetings(user), pk=pk)
        initial = {
            field: getattr(meeting, field)
            for field in ("title", "held_on", "place", "chair", "attendees", "notes", "version")
        }
        initial["organiser"] = meeting.organiser_id
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            meeting = services.meeting_save(by=user, data=data, meeting=meeting, version=version)
        except StaleWriteError:
            form.add_error(None, STALE_MESSAGE)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("referrals:meeting", pk=meeting.pk)
    return render(request, "referrals/meeting_form.html", {"form": form, "meeting": meeting})


def meeting_detail(request, pk: int):
    """The meeting and its list of leads; printable (A4) as it stands."""
    user = request.user
    meeting = get_object_or_404(selectors.visible_meetings(user).select_related("organiser"), pk=pk)
    items = (
        selectors.visible_items(user)
        .filter(meeting=meeting)
        .select_related("lead__industry", "lead__district", "follow_up_unit")
    )
    may_manage = selectors.may_manage_reference(user)
    form = None
    if may_manage:
        form = ReviewItemForm(request.POST or None, user=user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_item_save(meeting=meeting, by=user, **data)
            except PermissionDeniedError:
                raise PermissionDenied from None
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The meeting's list is saved."))
                return redirect("referrals:meeting", pk=pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "referrals/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "form": form,
            "may_manage": may_manage,
            "today": _today(),
        },
    )


@require_POST
def meeting_item_remove(request, pk: int):
    user = request.user
    item = get_object_or_404(selectors.visible_items(user).select_related("meeting"), pk=pk)
    try:
        services.meeting_item_remove(item=item, by=user)
    except PermissionDeniedError:
        raise PermissionDenied from None
    messages.success(request, _("Removed from the list."))
    return redirect("referrals:meeting", pk=item.meeting_id)

"""Referrals (引荐), evaluation scorecards (综合评估) and review meetings (信息过堂会).

- A **DistrictProfile** says what a district (板块) offers a lead: its industry directions, the
  land it has available (亩) and its typical land price. Referral suggestions are ranked on it.
- A **Referral** hands a lead (a project at 线索 or 洽谈), logged by a city-level unit such as
  the Beijing liaison office, to one or more districts; each **ReferralTarget** is one district's
  part: acknowledged (签收), evaluated (评估) and fed back (接收 / 婉拒 with the reason), each
  against a response deadline (settings.YINLI_REFERRAL_DEADLINES).
- A **Scorecard** is data: its **Criterion** rows (weight, direction, bands or a linear scale,
  an optional threshold that fails a project outright) and a criterion's **ScoreBand** rows.
- An **Evaluation** of a lead by a unit: several evaluators each give a **Score** per criterion;
  the result is computed (yinli.referrals.scoring), the decision and its reason recorded.
- A **ReviewMeeting** (信息过堂会 / 研判会) is a dated list of **ReviewItem**: a lead, the
  decision and the follow-up assigned (unit, person, deadline).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yinli.core.models import OrgUnit, Tracked
from yinli.projects.models import Industry, Project

DEFAULT_DEADLINES = {"acknowledge": 1, "evaluate": 3, "feedback": 7}


def deadline_days() -> dict[str, int]:
    """Days after the referral date within which a district acknowledges, evaluates, feeds back."""
    configured = getattr(settings, "YINLI_REFERRAL_DEADLINES", None) or {}
    return {step: int(configured.get(step, days)) for step, days in DEFAULT_DEADLINES.items()}


class DistrictProfile(Tracked):
    """What a district (板块) offers a lead; city roles keep it up to date."""

    district = models.OneToOneField(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="referral_profile",
        verbose_name=_("district (板块)"),
        limit_choices_to={"kind": "district"},
    )
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="+", verbose_name=_("industry directions")
    )
    land_available_mu = models.DecimalField(
        _("land available (mu)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    land_price_wan_per_mu = models.DecimalField(
        _("typical land price (10k yuan per mu)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(m2m_fields=[industries])

    class Meta:
        ordering = ["district__sort_order", "district__code"]
        verbose_name = _("district profile")
        verbose_name_plural = _("district profiles")

    def __str__(self) -> str:
        return str(self.district)


class Referral(Tracked):
    """A lead handed by a city-level unit to one or more districts (引荐)."""

    lead = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("lead")
    )
    referring_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="referrals_made",
        verbose_name=_("referring unit"),
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    referred_on = models.DateField(_("referred on"))
    land_needed_mu = models.DecimalField(
        _("land the investor needs (mu)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty to use the land recorded on the project."),
    )
    note = models.TextField(_("note to the districts"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.lead} ({self.referred_on:%Y-%m-%d})"

    @property
    def land_need(self) -> Decimal | None:
        return self.land_needed_mu if self.land_needed_mu is not None else self.lead.land_mu


class TargetStatus(models.TextChoices):
    REFERRED = "referred", _("Referred, not yet acknowledged")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged (已签收)")
    EVALUATED = "evaluated", _("Evaluated (已评估)")
    ACCEPTED = "accepted", _("Accepted (接收)")
    DECLINED = "declined", _("Declined (婉拒)")


class Feedback(models.TextChoices):
    ACCEPT = "accept", _("Accept (接收)")
    DECLINE = "decline", _("Decline (婉拒)")


class ReferralTarget(Tracked):
    """One district's part of a referral: its fit when referred, and its three responses."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="targets")
    district = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("district (板块)"),
        limit_choices_to={"kind": "district"},
    )
    fit_score = models.PositiveSmallIntegerField(_("fit score"), null=True, blank=True)
    fit_reasons = models.JSONField(_("fit reasons"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TargetStatus.choices, default=TargetStatus.REFERRED
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    feedback = models.CharField(_("feedback"), max_length=8, choices=Feedback.choices, blank=True)
    feedback_reason = models.TextField(_("reason"), blank=True)
    fed_back_at = models.DateTimeField(_("fed back at"), null=True, blank=True)
    fed_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "-fit_score", "district__sort_order"]
        verbose_name = _("referred district")
        verbose_name_plural = _("referred districts")
        constraints = [
            models.UniqueConstraint(fields=["referral", "district"], name="referral_target_once")
        ]
        indexes = [models.Index(fields=["district", "status"])]

    def __str__(self) -> str:
        return f"{self.referral} → {self.district}"

    def due_on(self, step: str) -> date:
        return self.referral.referred_on + timedelta(days=deadline_days()[step])


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Method(models.TextChoices):
    BANDS = "bands", _("Scoring bands")
    LINEAR = "linear", _("Linear scale")


class Scorecard(models.Model):
    """A set of criteria a lead is evaluated on (综合评估标准); data the city edits."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default scorecard"), default=False)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """One criterion: its value is turned into 0–100 points by bands or a linear scale; the
    weighted points add up to the result. A value on the wrong side of the threshold fails the
    project outright, whatever its total."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=64)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    method = models.CharField(
        _("scoring method"), max_length=8, choices=Method.choices, default=Method.LINEAR
    )
    scale_min = models.DecimalField(
        _("scale from"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "Linear scale: the low end (0 points when higher is better, 100 when lower is)."
        ),
    )
    scale_max = models.DecimalField(
        _("scale to"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "Linear scale: the high end (100 points when higher is better, 0 when lower is)."
        ),
    )
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("A value below it (above it when lower is better) fails the project outright."),
    )
    help_text = models.CharField(_("how to score"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scorecard", "sort_order", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "name"], name="criterion_name_once")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


class ScoreBand(models.Model):
    """A band of values and the points it gives: from (inclusive) up to (exclusive)."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="bands")
    lower = models.DecimalField(
        _("from (inclusive)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    upper = models.DecimalField(
        _("up to (exclusive)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        # The open-ended lowest band first on every engine (PostgreSQL sorts NULL last).
        ordering = ["criterion", models.F("lower").asc(nulls_first=True), "id"]
        verbose_name = _("scoring band")
        verbose_name_plural = _("scoring bands")

    def __str__(self) -> str:
        return f"[{self.lower}, {self.upper}) → {self.points}"


class Decision(models.TextChoices):
    ADVANCE = "advance", _("Advance (推进)")
    HOLD = "hold", _("Hold (暂缓)")
    MORE_INFO = "more_info", _("More information needed (补充材料)")
    REJECT = "reject", _("Reject (否决)")


class Evaluation(Tracked):
    """A unit's evaluation of a lead (综合评估) on a scorecard."""

    lead = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("lead")
    )
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.PROTECT, related_name="+", verbose_name=_("scorecard")
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("evaluating unit"),
    )
    referral_target = models.ForeignKey(
        ReferralTarget,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evaluations",
        verbose_name=_("referral"),
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The result when decided, kept as it was (the scorecard may change later).
    total_at_decision = models.DecimalField(
        _("weighted total"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    failed_at_decision = models.JSONField(_("failed thresholds"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.lead} · {self.unit}"


class Score(models.Model):
    """One evaluator's value for one criterion of an evaluation."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    note = models.CharField(_("note"), max_length=300, blank=True)
    scored_at = models.DateTimeField(_("scored at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["evaluation", "criterion__sort_order", "evaluator_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "evaluator", "criterion"], name="score_once_per_evaluator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class ReviewMeeting(Tracked):
    """An information review meeting (信息过堂会 / 研判会): a dated list of leads."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    organiser = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(_("chair"), max_length=64, blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})"


class ReviewItem(models.Model):
    """A lead on a meeting's list: the decision and the follow-up assigned."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="items")
    lead = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead")
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    follow_up_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up unit"),
    )
    follow_up_person = models.CharField(_("follow-up person"), max_length=64, blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("follow-up done on"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "sort_order", "id"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "lead"], name="review_item_lead_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.lead}"

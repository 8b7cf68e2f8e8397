"""报送: the reporting calendar, district reports, their review log, period locks and corrections.

- A **Schedule** is the calendar as data: the monthly report (月报) every district files, due
  `due_days` days after the month ends, and the weekly report of major projects (重大项目周报),
  the set chosen by a rule (total investment ≥ `major_threshold_wan`) and by hand (`projects`).
- A **ReportPeriod** is one period a schedule generates, with its deadline.
- A **Report** is one district's report for one period: draft → submitted → returned / accepted;
  an accepted monthly report locks that district's month (定版锁库). A city admin's correction
  reopens it (state ``reopened``) until the city accepts it again.
- Every step is a **ReportEvent** (who, when, comment); comments on single projects are
  **ProjectComment** rows of the return that made them; a **Correction** records why a locked
  period was reopened and which project was touched.
- **ReportedPeriod** is the month a late addition was reported in (YINLI_LATE_ADDITIONS =
  "reported_month"), keyed by project.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yinli.core.models import OrgUnit, Tracked


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly report (月报)")
    WEEKLY = "weekly", _("Weekly report of major projects (重大项目周报)")


class Schedule(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    due_days = models.PositiveSmallIntegerField(
        _("due days after the period ends"),
        default=5,
        help_text=_("The report is due this many days after the last day of the period."),
    )
    # Weekly reports of major projects: the rule and the projects chosen by hand.
    major_threshold_wan = models.DecimalField(
        _("major project threshold (10k yuan)"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
    )
    projects = models.ManyToManyField(
        "projects.Project", blank=True, related_name="+", verbose_name=_("projects chosen by hand")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["frequency", "code"]
        verbose_name = _("reporting schedule")
        verbose_name_plural = _("reporting schedules")

    def __str__(self) -> str:
        return self.name


class ReportPeriod(models.Model):
    schedule = models.ForeignKey(
        Schedule, on_delete=models.PROTECT, related_name="periods", verbose_name=_("schedule")
    )
    code = models.CharField(_("period"), max_length=16)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    deadline = models.DateField(_("deadline"))

    class Meta:
        ordering = ["-start", "schedule_id"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "code"], name="reporting_period_code")
        ]
        indexes = [models.Index(fields=["schedule", "start"])]

    def __str__(self) -> str:
        return f"{self.schedule.name} {self.code}"

    @property
    def is_monthly(self) -> bool:
        return self.schedule.frequency == Frequency.MONTHLY

    @property
    def label(self) -> str:
        if self.is_monthly:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start:%Y-%m-%d}至{self.end:%m-%d}"


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted and locked")
    REOPENED = "reopened", _("Reopened for a correction")


class Report(Tracked):
    period = models.ForeignKey(
        ReportPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("period")
    )
    district = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        limit_choices_to={"kind": "district"},
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT
    )
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("last submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("district's note"), blank=True)
    comment = models.TextField(_("city's overall comment"), blank=True)
    # project id → the fields that matter, as submitted (and, once accepted, as accepted).
    snapshot = models.JSONField(_("projects as submitted"), default=dict, blank=True)
    # The same of the district's previous accepted report: what the changes are measured from.
    baseline = models.JSONField(_("projects as last accepted"), default=dict, blank=True)
    baseline_code = models.CharField(
        _("compared with the report of"), max_length=16, blank=True, default=""
    )

    history = HistoricalRecords(excluded_fields=["snapshot", "baseline"])

    class Meta:
        ordering = ["-period__start", "district__sort_order"]
        verbose_name = _("district report")
        verbose_name_plural = _("district reports")
        constraints = [
            models.UniqueConstraint(fields=["period", "district"], name="reporting_one_per_period")
        ]
        indexes = [models.Index(fields=["district", "state"])]

    def __str__(self) -> str:
        return f"{self.district} {self.period.code}"

    @property
    def is_locked(self) -> bool:
        return self.state == ReportState.ACCEPTED and self.period.is_monthly


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    RETURN = "return", _("Returned")
    ACCEPT = "accept", _("Accepted and locked")
    REOPEN = "reopen", _("Reopened for a correction")


class ReportEvent(models.Model):
    """The log: every step of a report, who took it and when."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("report")
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} {self.at:%Y-%m-%d}"


class ProjectComment(models.Model):
    """The city's comment on one project of a report, made when it returned it."""

    event = models.ForeignKey(
        ReportEvent, on_delete=models.CASCADE, related_name="comments", verbose_name=_("step")
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    text = models.TextField(_("comment"))

    class Meta:
        ordering = ["event_id", "id"]
        verbose_name = _("comment on a project")
        verbose_name_plural = _("comments on projects")

    def __str__(self) -> str:
        return self.text[:40]


class Correction(models.Model):
    """A city admin's change to a locked period: the period reopens and the reason is kept."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("report")
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    what = models.CharField(_("what changed"), max_length=300, blank=True)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("correction of a locked period")
        verbose_name_plural = _("corrections of locked periods")

    def __str__(self) -> str:
        return f"{self.report} {self.at:%Y-%m-%d}"


class ReportedPeriod(models.Model):
    """The month a late addition was reported in (YINLI_LATE_ADDITIONS = "reported_month")."""

    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="reported_period",
        verbose_name=_("project"),
    )
    month = models.DateField(_("reported in month"), help_text=_("The first day of the month."))
    signed_month = models.DateField(_("signed in month"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("reported month of a late addition")
        verbose_name_plural = _("reported months of late additions")

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m}"

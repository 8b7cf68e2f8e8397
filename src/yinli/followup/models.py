"""After the signing: alert rules (as data) and permit checklists.

Funds in place (到位资金) are yinli.projects.models.FundsInPlace; this app records them and reads
them, it does not keep a copy.

- An **AlertRule** says when a signed project is late: "reached stage A but not stage B N months
  later" (签约未注册, 注册未开工 …) or "reached stage A N months ago and its funds in place are
  below X% of its total investment" (开工满一年到位资金低于30%). Alerts are not stored: they are
  evaluated from the rules, the stage log and the funds for any as-of date
  (yinli.followup.alerts).
- A **PermitTemplate** lists the usual permits (立项/备案, 用地预审, 土地出让 …) of a kind of
  project, in order, each with the department that usually grants it; a project's checklist
  (**PermitItem**) is copied from it once and then kept per project.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yinli.core.models import Tracked
from yinli.projects.models import Category, Kind, Project, Stage


class AlertKind(models.TextChoices):
    STAGE_GAP = "stage_gap", _("Reached a stage but not the next one after N months")
    FUNDS_BELOW = "funds_below", _("Funds in place below a share after N months")


class AlertRule(models.Model):
    """When a signed project is late (see the module docstring); analysts edit these."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    from_stage = models.CharField(
        _("from stage"),
        max_length=16,
        choices=Stage.choices,
        default=Stage.SIGNED,
        help_text=_("The rule counts its months from the day the project reached this stage."),
    )
    to_stage = models.CharField(
        _("expected stage"),
        max_length=16,
        choices=Stage.choices,
        blank=True,
        help_text=_("For a stage rule: the stage the project should have reached by then."),
    )
    months = models.PositiveSmallIntegerField(
        _("months"), validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    funds_pct = models.DecimalField(
        _("funds in place below (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("For a funds rule: the share of the total investment expected by then."),
    )
    active = models.BooleanField(_("active"), default=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from yinli.projects.models import stage_rank

        errors = {}
        if self.kind == AlertKind.STAGE_GAP:
            if not self.to_stage:
                errors["to_stage"] = _("A stage rule needs the stage expected by then.")
            elif self.from_stage and stage_rank(self.to_stage) <= stage_rank(self.from_stage):
                errors["to_stage"] = _(
                    "The expected stage (%(to)s) must come after the stage counted from (%(from)s)."
                ) % {
                    "to": Stage(self.to_stage).label,
                    "from": Stage(self.from_stage).label,
                }
        if self.kind == AlertKind.FUNDS_BELOW and self.funds_pct is None:
            errors["funds_pct"] = _("A funds rule needs the share of funds expected by then.")
        if self.from_stage and self.from_stage in (Stage.LEAD, Stage.NEGOTIATING):
            errors["from_stage"] = _("Rules follow signed projects: count from 签约 or later.")
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(errors)


class PermitStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started (未开始)")
    IN_PROGRESS = "in_progress", _("In progress (办理中)")
    DONE = "done", _("Done (已办结)")
    NOT_APPLICABLE = "not_applicable", _("Not applicable (不涉及)")


# A checklist item that needs nothing more: granted, or not needed for this project.
SETTLED_STATUSES = (PermitStatus.DONE, PermitStatus.NOT_APPLICABLE)


class PermitTemplate(models.Model):
    """The usual permits of a kind of project; blank category or kind means any."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("permit template")
        verbose_name_plural = _("permit templates")

    def __str__(self) -> str:
        return self.name


class PermitTemplateItem(models.Model):
    template = models.ForeignKey(
        PermitTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template")
    )
    name = models.CharField(_("permit"), max_length=100)
    department = models.CharField(_("usual department"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("permit of a template")
        verbose_name_plural = _("permits of a template")
        constraints = [
            models.UniqueConstraint(fields=["template", "name"], name="permit_template_item_once")
        ]

    def __str__(self) -> str:
        return self.name


class PermitItem(Tracked):
    """One permit on a project's checklist (审批事项), with its state."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="permits", verbose_name=_("project")
    )
    template_item = models.ForeignKey(
        PermitTemplateItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from template"),
    )
    name = models.CharField(_("permit"), max_length=100)
    department = models.CharField(_("department"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=PermitStatus.choices, default=PermitStatus.NOT_STARTED
    )
    started_on = models.DateField(_("applied on"), null=True, blank=True)
    due_on = models.DateField(_("planned for"), null=True, blank=True)
    done_on = models.DateField(_("granted on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "order", "id"]
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="permit_item_once")]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.project_id} {self.name}"

    @property
    def settled(self) -> bool:
        return self.status in SETTLED_STATUSES

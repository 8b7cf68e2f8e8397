"""督办: documents, obstacles (问题), task forces (专班) and leaders' instructions (批示).

- A **Document** is a file attached to any record (a project, an obstacle, an instruction, a
  permit item of the follow-up app) through a generic relation. The file lives in the
  "documents" storage (settings.STORAGES, by default a folder outside the static and media
  URLs) under a generated name; it is only ever served by a view that checks the owner's scope.
- A **Department** (发改委, 自然资源和规划局, 生态环境局 …) is the city department an obstacle
  is for. Departments are a small table of their own, not org units: they enter no ledger and
  own no project, so the organisation tree, its scoping and its figures stay as they are. A
  department can point at an org unit whose members then receive its notifications.
- An **Obstacle** (要素保障问题) raised on a project: category, department, deadline, dated
  progress notes (**ObstacleNote**), closed (办结销号) only with a resolution; reopened when it
  comes back. Past its deadline and still open it is overdue and escalates once.
- A **TaskForce** (一项目一专班) on a project: lead, members from several units, the linked
  leader (挂钩领导). The project's text fields ``task_force`` and ``linked_leader`` follow it.
- An **Instruction** (领导批示): text, date, the leader, a project or a matter, the units assigned
  (**InstructionUnit**, each with its report back), a deadline; closed when the leader's office
  marks it done.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yinli.core.models import OrgUnit, Tracked
from yinli.projects.models import Project

# --- Documents --------------------------------------------------------------------------------


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement (协议)")
    PERMIT = "permit", _("Approval or permit (批文/许可)")
    PHOTO = "photo", _("Photo (照片)")
    OTHER = "other", _("Other (其他)")


class Document(Tracked):
    """A file attached to a record; ``created_by`` / ``created_at`` say who uploaded it when."""

    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("document kind"), max_length=16, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    filename = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(_("stored as"), max_length=255, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    mime_type = models.CharField(_("content type"), max_length=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["owner_type", "owner_id"])]

    def __str__(self) -> str:
        return self.title


# --- Departments and obstacles ----------------------------------------------------------------


class Department(models.Model):
    """A city department an obstacle is assigned to (data, seeded with the usual ones)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    short_name = models.CharField(_("short name"), max_length=16, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation unit"),
        help_text=_("Its members are notified of the obstacles assigned to the department."),
    )
    active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class ObstacleCategory(models.TextChoices):
    LAND = "land", _("Land (土地)")
    ENERGY = "energy", _("Energy quota (能耗)")
    ENVIRONMENT = "environment", _("Environment (环保)")
    FUNDING = "funding", _("Funding (资金)")
    TALENT = "talent", _("Talent (人才)")
    APPROVAL = "approval", _("Approvals (审批)")
    UTILITIES = "utilities", _("Utilities and services (配套)")
    OTHER = "other", _("Other (其他)")


class ObstacleStatus(models.TextChoices):
    OPEN = "open", _("Unresolved")
    CLOSED = "closed", _("Closed (办结)")


class Obstacle(Tracked):
    """A problem that holds a project up, for a department to resolve (要素保障问题)."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="obstacles", verbose_name=_("project")
    )
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    category = models.CharField(
        _("obstacle category"), max_length=16, choices=ObstacleCategory.choices
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="obstacles",
        verbose_name=_("department responsible"),
    )
    raised_on = models.DateField(_("raised on"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=8, choices=ObstacleStatus.choices, default=ObstacleStatus.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when the overdue obstacle was flagged to the linked leader and the city: once only.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["department", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == ObstacleStatus.OPEN

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.deadline < today


class ObstacleNote(models.Model):
    """A dated progress note on an obstacle (进展); notes are only ever added."""

    obstacle = models.ForeignKey(Obstacle, on_delete=models.CASCADE, related_name="notes")
    on = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.text[:30]}"


# --- Task forces ------------------------------------------------------------------------------


class TaskForce(Tracked):
    """The task force of one project (一项目一专班)."""

    project = models.OneToOneField(
        Project, on_delete=models.PROTECT, related_name="task_force_record"
    )
    name = models.CharField(_("name"), max_length=200)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="task_forces_led",
        verbose_name=_("task force lead"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="task_forces",
        verbose_name=_("members"),
    )
    linked_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task_forces_linked",
        verbose_name=_("linked leader (挂钩领导)"),
    )
    linked_leader_name = models.CharField(
        _("linked leader's name"),
        max_length=64,
        blank=True,
        help_text=_("When the leader has no login, the name (and title) as it is written."),
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["project__name"]
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")

    def __str__(self) -> str:
        return self.name

    @property
    def leader_display(self) -> str:
        if self.linked_leader_id:
            return str(self.linked_leader)
        return self.linked_leader_name


# --- Instructions -----------------------------------------------------------------------------


class InstructionStatus(models.TextChoices):
    OPEN = "open", _("In progress (督办中)")
    DONE = "done", _("Done (已办结)")


class Instruction(Tracked):
    """A leader's written instruction (领导批示) followed up until done (督办)."""

    text = models.TextField(_("instruction"))
    issued_on = models.DateField(_("date"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instructions_issued",
        verbose_name=_("leader"),
    )
    leader_name = models.CharField(_("leader's name"), max_length=64, blank=True)
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("project"),
    )
    matter = models.CharField(
        _("matter"),
        max_length=200,
        blank=True,
        help_text=_("What the instruction is about when it is not one project."),
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=InstructionStatus.choices,
        default=InstructionStatus.OPEN,
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_note = models.TextField(_("note on closing"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.subject

    @property
    def subject(self) -> str:
        return self.project.name if self.project_id else self.matter

    @property
    def leader_display(self) -> str:
        return str(self.leader) if self.leader_id else self.leader_name

    @property
    def is_open(self) -> bool:
        return self.status == InstructionStatus.OPEN

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.deadline < today


class InstructionUnit(Tracked):
    """One unit assigned to an instruction, and its report back (反馈)."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    response = models.TextField(_("report back"), blank=True)
    responded_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["instruction", "unit__sort_order", "unit__code"]
        verbose_name = _("unit assigned")
        verbose_name_plural = _("units assigned")
        constraints = [
            models.UniqueConstraint(fields=["instruction", "unit"], name="instruction_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.instruction} → {self.unit}"

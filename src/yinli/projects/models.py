"""Projects (项目): one record per investment, from first lead to full production."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yinli.companies.models import Company
from yinli.core.models import OrgUnit, Region, Tracked
from yinli.fieldwork.models import Channel, Event


class Stage(models.TextChoices):
    LEAD = "lead", _("Lead (线索)")
    NEGOTIATING = "negotiating", _("Negotiating (洽谈)")
    SIGNED = "signed", _("Signed (签约)")
    REGISTERED = "registered", _("Registered (注册)")
    STARTED = "started", _("Construction started (开工)")
    COMPLETED = "completed", _("Completed (竣工)")
    PRODUCING = "producing", _("In production (投产)")
    FULL = "full", _("Full production (达产)")


STAGE_ORDER: list[str] = [s.value for s in Stage]


def stage_rank(stage: str) -> int:
    return STAGE_ORDER.index(stage)


class Status(models.TextChoices):
    ACTIVE = "active", _("Progressing (推进中)")
    PAUSED = "paused", _("On hold (暂缓)")
    LOST = "lost", _("Lost (流失)")
    TERMINATED = "terminated", _("Terminated (终止)")


class Kind(models.TextChoices):
    NEW = "new", _("New (新建)")
    EXPANSION = "expansion", _("Expansion of a local company (增资扩产)")


class Category(models.TextChoices):
    INDUSTRIAL = "industrial", _("Industrial (工业)")
    SERVICE = "service", _("Services (服务业)")
    OTHER = "other", _("Other (其他)")


class Agreement(models.TextChoices):
    NONE = "", _("None yet")
    FRAMEWORK = "framework", _("Framework agreement (框架协议)")
    FORMAL = "formal", _("Formal investment agreement (正式投资协议)")


class Industry(models.Model):
    """An industry direction (产业方向) with the category it implies and the words that name it."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.INDUSTRIAL
    )
    synonyms = models.TextField(_("synonyms"), blank=True, help_text=_("One per line."))
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("industry direction")
        verbose_name_plural = _("industry directions")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=32, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("strategic tag")
        verbose_name_plural = _("strategic tags")

    def __str__(self) -> str:
        return self.name


class DuplicateDecision(models.TextChoices):
    NONE = "", _("No duplicate warning")
    DISTINCT = "distinct", _("A different investment")
    SAME = "same", _("The same project")


money = {"max_digits": 18, "decimal_places": 4, "null": True, "blank": True}


# The historical project's columns left without an index (see Project.history).
HISTORY_UNINDEXED = [
    "first_signed_on",
    "fai_code",
    "company",
    "signing_region",
    "controller_region",
    "district",
    "responsible_unit",
    "channel",
    "event",
    "industry",
    "lost_to",
    "merged_into",
    "created_by",
]


class Project(Tracked):
    name = models.CharField(_("project name"), max_length=200)
    # Searched with a substring match (projects.filters), which no B-tree index serves.
    name_initials = models.CharField(
        _("pinyin initials"), max_length=200, blank=True, editable=False
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("investor (signing entity)"),
    )
    signing_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signing entity's location"),
    )
    controller_name = models.CharField(_("actual controller (实控方)"), max_length=200, blank=True)
    controller_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actual controller's location"),
    )

    # Indexed by the (district, first_signed_on) and (district, fai_on) indexes below, whose
    # first column it is: a district_id index of its own would only slow the writes.
    district = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="district_projects",
        verbose_name=_("district (落户板块)"),
        limit_choices_to={"kind": "district"},
    )
    responsible_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_projects",
        verbose_name=_("responsible unit"),
    )
    responsible_person = models.CharField(_("responsible person"), max_length=64, blank=True)
    first_contact = models.CharField(_("first-contact person (首谈人)"), max_length=64, blank=True)
    task_force = models.CharField(_("task force (专班)"), max_length=200, blank=True)
    linked_leader = models.CharField(_("linked leader (挂钩领导)"), max_length=64, blank=True)
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("channel")
    )
    introducer = models.CharField(_("introducer"), max_length=200, blank=True)
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("signed at event"),
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("industry direction"),
    )
    tags = models.ManyToManyField(Tag, blank=True, verbose_name=_("strategic tags"))

    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.LEAD)
    stage_on = models.DateField(_("stage reached on"), null=True, blank=True)
    agreement = models.CharField(
        _("agreement"), max_length=16, choices=Agreement.choices, default="", blank=True
    )
    # Set once, at the first formal signing, and never moved: figures count a project here.
    first_signed_on = models.DateField(_("first signed on"), null=True, blank=True, db_index=True)
    # The stage log's first dates, repeated here for the pipeline figures (never typed in; kept in
    # step with the log by yinli.projects.stagedates).
    entered_on = models.DateField(
        _("first entered on"), null=True, blank=True, editable=False, db_index=True
    )
    entered_stage = models.CharField(
        _("first stage"), max_length=16, choices=Stage.choices, blank=True, editable=False
    )
    lead_on = models.DateField(_("lead since"), null=True, blank=True, editable=False)
    started_on = models.DateField(
        _("construction first started on"), null=True, blank=True, editable=False, db_index=True
    )
    producing_on = models.DateField(
        _("first in production on"), null=True, blank=True, editable=False, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    lost_to = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lost to"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NEW)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.INDUSTRIAL
    )

    total_investment = models.DecimalField(_("total investment (10k yuan)"), **money)
    foreign_investment = models.DecimalField(
        _("agreed foreign investment (10k of currency)"), **money
    )
    foreign_currency = models.CharField(
        _("currency of foreign investment"), max_length=3, default="USD"
    )
    land_mu = models.DecimalField(
        _("land (mu)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    expected_output = models.DecimalField(_("expected annual output (10k yuan)"), **money)
    expected_tax = models.DecimalField(_("expected annual tax (10k yuan)"), **money)
    jobs = models.PositiveIntegerField(_("jobs"), null=True, blank=True)

    # 入库列统: the month the statistics bureau accepted the project into fixed-asset statistics.
    fai_code = models.CharField(
        _("investment project code (投资项目代码)"), max_length=32, blank=True, db_index=True
    )
    fai_on = models.DateField(_("accepted into statistics on (入库列统)"), null=True, blank=True)

    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    notes = models.TextField(_("notes"), blank=True)
    # What the person entering the project answered to a duplicate warning (撞车提示).
    duplicate_decision = models.CharField(
        _("answer to the duplicate warning"),
        max_length=16,
        choices=DuplicateDecision.choices,
        default="",
        blank=True,
    )
    duplicate_reason = models.CharField(
        _("why it is a different investment"), max_length=300, blank=True
    )

    history = HistoricalRecords(
        m2m_fields=[tags],
        excluded_fields=[
            "name_initials",
            # Derived from the stage log, which has its own dates.
            "entered_on",
            "entered_stage",
            "lead_on",
            "started_on",
            "producing_on",
        ],
        # The history is read by record (id), by date and by version, never by these columns:
        # their indexes (simple_history indexes every foreign key) only slowed every write, a
        # ledger import's most of all (issue 4).
        no_db_index=HISTORY_UNINDEXED,
    )

    class Meta:
        ordering = ["-first_signed_on", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["district", "first_signed_on"]),
            models.Index(fields=["stage", "status"]),
            models.Index(fields=["fai_on"]),
            models.Index(fields=["district", "fai_on"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from yinli.core.names import pinyin_initials

        self.name = " ".join(self.name.split())
        self.name_initials = pinyin_initials(self.name)[:200]
        if self.pk is not None and not self._state.adding:
            # Derived again from the stage log: an object loaded before a stage change must
            # not write back old dates (yinli.projects.stagedates).
            from .stagedates import stage_dates_of

            for key, value in stage_dates_of(self.pk).items():
                setattr(self, key, value)
        super().save(*args, **kwargs)

    @property
    def source_region(self) -> Region | None:
        """Where the investment comes from: the actual controller's location, else the signer's."""
        return self.controller_region or self.signing_region

    @property
    def total_investment_yi(self):
        if self.total_investment is None:
            return None
        return self.total_investment / 10000


class StageChange(models.Model):
    """The dated stage log: each reached stage with its date; figures are computed from it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["stage", "on"]),
            # The first entry of each project into a stage, without a sort per project.
            models.Index(fields=["project", "on", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.stage} {self.on}"


class FundsSource(models.TextChoices):
    OWN = "own", _("Own funds (自有)")
    FOREIGN = "foreign", _("Foreign capital (外资)")
    LOAN = "loan", _("Loans (贷款)")
    OTHER = "other", _("Other")


class FundsInPlace(models.Model):
    """到位资金: money actually invested, recorded over time."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funds")
    on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (10k yuan)"), max_digits=18, decimal_places=4)
    source = models.CharField(
        _("source"), max_length=16, choices=FundsSource.choices, default=FundsSource.OWN
    )
    # 实际使用外资: the foreign capital in this arrival, in 万美元 (or the project's currency),
    # counted in the month it arrived.
    foreign_amount = models.DecimalField(
        _("foreign capital actually used (10k USD)"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("funds in place")
        verbose_name_plural = _("funds in place")

    def __str__(self) -> str:
        return f"{self.project_id} {self.on} {self.amount}"


# --- 首报首谈: claims -----------------------------------------------------------------------


class EvidenceKind(models.TextChoices):
    REPORT = "report", _("First report (首报)")
    VISIT = "visit", _("Visit (走访)")
    MEETING = "meeting", _("Meeting (洽谈会面)")
    DOCUMENT = "document", _("Document (文件)")
    OTHER = "other", _("Other")


class Claim(models.Model):
    """首报首谈: the unit that reported a project first holds it, with evidence, for a time.

    A claim lapses after settings.CLAIM_VALID_MONTHS without progress (a stage change or a
    visit); the expiry is computed when read (yinli.projects.claims), never by a timer.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="claims", verbose_name=_("project")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("reporting unit")
    )
    district = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    claimed_on = models.DateField(_("reported on"))
    evidence_kind = models.CharField(
        _("kind of evidence"),
        max_length=16,
        choices=EvidenceKind.choices,
        default=EvidenceKind.REPORT,
    )
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    document_ref = models.CharField(
        _("document reference"),
        max_length=200,
        blank=True,
        help_text=_("A document number or the name of a project document."),
    )
    released_on = models.DateField(_("released on"), null=True, blank=True)
    released_reason = models.CharField(_("why it was released"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claimed_on", "id"]
        verbose_name = _("claim (首报首谈)")
        verbose_name_plural = _("claims (首报首谈)")

    def __str__(self) -> str:
        return f"{self.project_id} {self.unit_id} {self.claimed_on}"


# --- 撞车: conflicts between districts ----------------------------------------------------------


class ConflictOrigin(models.TextChoices):
    ENTRY = "entry", _("Entered as the same project")
    IMPORT = "import", _("Ledger import")
    CITY = "city", _("Opened by the city")


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("Awaiting a ruling")
    RULED = "ruled", _("Ruled")


class Ruling(models.TextChoices):
    KEEP = "keep", _("Kept by one side")
    TRANSFER = "transfer", _("Transferred to the other district")
    JOINT = "joint", _("Joint (lead district and split)")
    DISTINCT = "distinct", _("Distinct investments")
    REJECT = "reject", _("Rejected")


class Side(models.TextChoices):
    A = "a", _("First side")
    B = "b", _("Second side")


class ProjectMerge(models.Model):
    """A merge of two projects: exactly what moved, so that it can be reversed."""

    kept = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("kept project")
    )
    merged = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged project")
    )
    # {"app_label.model.field": [primary keys]}: the rows whose reference moved to `kept`.
    moved = models.JSONField(_("moved records"), default=dict)
    # The kept project's values that the merge changed (notes, tags added), to restore.
    kept_before = models.JSONField(_("kept project before"), default=dict)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("merged at"), default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("project merge")
        verbose_name_plural = _("project merges")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id}"


class Conflict(models.Model):
    """撞车: two projects of different districts that may be one investment, and the ruling."""

    project_a = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="conflicts_as_a",
        verbose_name=_("first project"),
    )
    project_b = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="conflicts_as_b",
        verbose_name=_("second project"),
    )
    # The districts when the conflict was opened (a transfer later moves a project).
    district_a = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("first district")
    )
    district_b = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("second district")
    )
    origin = models.CharField(_("opened by"), max_length=16, choices=ConflictOrigin.choices)
    note = models.CharField(_("why it was opened"), max_length=500, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    ruling = models.CharField(_("ruling"), max_length=16, choices=Ruling.choices, blank=True)
    ruling_side = models.CharField(
        _("side named by the ruling"), max_length=1, choices=Side.choices, blank=True
    )
    lead_share = models.DecimalField(
        _("lead district's share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    other_share = models.DecimalField(
        _("other district's share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    ruling_reason = models.TextField(_("reason for the ruling"), blank=True)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)
    merge = models.ForeignKey(
        ProjectMerge,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merge done by the ruling"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("conflict (撞车)")
        verbose_name_plural = _("conflicts (撞车)")
        indexes = [models.Index(fields=["status", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.project_a_id} / {self.project_b_id}"

    @property
    def is_open(self) -> bool:
        return self.status == ConflictStatus.OPEN

    def side_of(self, side: str) -> tuple[Project, OrgUnit]:
        if side == Side.A:
            return self.project_a, self.district_a
        return self.project_b, self.district_b

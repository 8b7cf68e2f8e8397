"""What the ledger import remembers: value synonyms, saved column mappings, and import batches.

An :class:`ImportBatch` is one import (or, in bulk mode, one chunk of it under a parent batch):
who, when, the file and its sha256, the counts, the ids it created and the previous values of the
records it updated, so that ``undo_import`` can take it back as a whole.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinli.core.models import OrgUnit


class SynonymKind(models.TextChoices):
    STAGE = "stage", _("Stage")
    INDUSTRY = "industry", _("Industry direction")
    CATEGORY = "category", _("Category")
    KIND = "kind", _("Kind")
    CHANNEL = "channel", _("Channel")
    DISTRICT = "district", _("District")
    STATUS = "status", _("Status")


class ValueSynonym(models.Model):
    """A word a ledger uses for a system value: 已签约 → signed, 生物医药 → 生物医药及大健康.

    ``value`` is the choice value (stage, category, kind) or the name of the record (industry
    direction, channel) or the code of the district. ``text`` is compared after NFKC, without
    spaces, lower-cased.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=SynonymKind.choices)
    text = models.CharField(_("text in the ledger"), max_length=64)
    value = models.CharField(_("system value"), max_length=100)

    class Meta:
        ordering = ["kind", "text"]
        verbose_name = _("value synonym")
        verbose_name_plural = _("value synonyms")
        constraints = [
            models.UniqueConstraint(fields=["kind", "text"], name="ledger_synonym_unique_text")
        ]

    def __str__(self) -> str:
        return f"{self.text} → {self.value}"


class ImportMapping(models.Model):
    """A district's saved column mapping (header text → field), reused when the headers match."""

    district = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_mappings",
        verbose_name=_("district"),
    )
    name = models.CharField(_("name"), max_length=100)
    columns = models.JSONField(_("columns"), default=dict, help_text=_("Header text → field."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="ledger_mapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMMITTED = "committed", _("Committed")
    PARTIAL = "partial", _("Committed without the invalid rows")
    FAILED = "failed", _("Stopped by errors")
    UNDONE = "undone", _("Undone")


class ImportBatch(models.Model):
    """One import of one file (or one chunk of a bulk import, under ``parent``)."""

    kind = models.CharField(_("kind"), max_length=32, default="projects")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="chunks"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    district = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_row = models.PositiveIntegerField(null=True, blank=True)
    last_row = models.PositiveIntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.RUNNING
    )
    # {"app_label.model": [id, …]} of the records this batch created.
    created_ids = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


class ImportChange(models.Model):
    """A record an import updated: its previous values and the version the import left it at."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    model = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    row = models.PositiveIntegerField(null=True, blank=True)
    previous = models.JSONField(default=dict)
    version_after = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.model} #{self.object_id}"


# -- export templates and the export log ---------------------------------------------------


class AmountUnit(models.TextChoices):
    WAN = "wan", _("10 thousand yuan (万元)")
    YI = "yi", _("100 million yuan (亿元)")


class Orientation(models.TextChoices):
    LANDSCAPE = "landscape", _("Landscape")
    PORTRAIT = "portrait", _("Portrait")


class ExportTemplate(models.Model):
    """The columns of an exported ledger, as data: the city's standard one is built in, an
    administrator adds others (the province's) by naming columns and their order.

    ``columns`` is an ordered list of ``{"field", "header", "width", "unit"}``; ``field`` is a key
    of :data:`yinli.ledger.export.EXPORT_FIELDS`, ``unit`` (万元/亿元, amounts only) pins that
    column's unit; without it the unit chosen at export time (default ``amount_unit``) applies.
    """

    name = models.CharField(
        _("name"),
        max_length=64,
        unique=True,
        help_text=_("A short name for the command line, e.g. standard or province."),
    )
    title = models.CharField(
        _("title"), max_length=200, help_text=_("The title row of the exported sheet.")
    )
    columns = models.JSONField(_("columns"), default=list)
    amount_unit = models.CharField(
        _("default amount unit"), max_length=4, choices=AmountUnit.choices, default=AmountUnit.YI
    )
    subtotals = models.BooleanField(_("subtotals by district"), default=False)
    orientation = models.CharField(
        _("page orientation"),
        max_length=16,
        choices=Orientation.choices,
        default=Orientation.LANDSCAPE,
    )
    built_in = models.BooleanField(_("built in"), default=False, editable=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("export template")
        verbose_name_plural = _("export templates")

    def __str__(self) -> str:
        return self.title or self.name


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV"


class ExportLog(models.Model):
    """One export of the project ledger: who, when, which template, which filter, how many rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("exported by"),
    )
    # The district of the user at the time, so that a district reads its own log.
    district = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    created_at = models.DateTimeField(_("exported at"), default=timezone.now, db_index=True)
    template = models.ForeignKey(
        ExportTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("template"),
    )
    template_name = models.CharField(_("template"), max_length=200, blank=True)
    query = models.TextField(_("filter"), blank=True, help_text=_("The filter as a query string."))
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    unit = models.CharField(_("amount unit"), max_length=4, choices=AmountUnit.choices)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    source = models.CharField(_("from"), max_length=16, default="web")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

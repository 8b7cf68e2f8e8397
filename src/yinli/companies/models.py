"""The company registry (企业): investors, local companies and the enterprise base."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yinli.core.models import Region, Tracked


class Ownership(models.TextChoices):
    CENTRAL_SOE = "central_soe", _("Central state-owned (央企)")
    LOCAL_SOE = "local_soe", _("Local state-owned (地方国企)")
    PRIVATE = "private", _("Private (民企)")
    FOREIGN = "foreign", _("Foreign-funded (外资)")
    HMT = "hmt", _("Hong Kong, Macao or Taiwan funded (港澳台资)")
    OTHER = "other", _("Other")


STATE_OWNED = {Ownership.CENTRAL_SOE, Ownership.LOCAL_SOE}
FOREIGN_FUNDED = {Ownership.FOREIGN, Ownership.HMT}


USCC_UNIQUE = "companies_company_uscc_unique"


class Company(Tracked):
    name = models.CharField(_("name"), max_length=200)
    # For matching only: full/half width, brackets, legal form and region prefix removed.
    # Both indexed in Meta.indexes: a plain B-tree each (equality and prefix ranges), without
    # the LIKE-pattern twin PostgreSQL gets for db_index — substring searches go through the
    # trigram indexes (yinli.companies.search), and a bulk load built the twins for nothing.
    name_normalized = models.CharField(_("normalized name"), max_length=200)
    name_initials = models.CharField(_("pinyin initials"), max_length=200, blank=True)
    # Unique (the constraint USCC_UNIQUE below: a partial unique index rather than a column
    # UNIQUE, which SQLite could not set aside for a bulk load); NULL, not "", for a company
    # without a code, so that the many without one do not clash.
    uscc = models.CharField(  # noqa: DJ001
        _("unified social credit code"), max_length=18, null=True, blank=True
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=16, choices=Ownership.choices, default=Ownership.PRIVATE
    )
    # parent and merged_into: indexed only where set (Meta.indexes), which few companies are.
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="subsidiaries",
        verbose_name=_("parent company"),
    )
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (10k yuan)"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    registration_status = models.CharField(_("registration status"), max_length=32, blank=True)
    industry_code = models.CharField(_("industry code (GB/T 4754)"), max_length=8, blank=True)
    insured_staff = models.PositiveIntegerField(_("insured staff"), null=True, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    notes = models.TextField(_("notes"), blank=True)

    # The history is read by company (its id) and in order; an index on the history's copies
    # of the keys and the credit code would serve no query and cost every bulk load its build
    # (2,000,000 companies: 14 s of the enterprise import on SQLite, bench/test_chains.py).
    history = HistoricalRecords(
        excluded_fields=["name_normalized", "name_initials"],
        no_db_index=["uscc", "region", "parent", "merged_into", "created_by"],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        # One company a credit code. An index of its own (CREATE UNIQUE INDEX … WHERE, not the
        # column's UNIQUE, which SQLite builds into the table): the enterprise import sets it
        # aside while it writes a province's companies (yinli.core.bulkload), where keeping it
        # up row by row was a sixth of the load on SQLite. On PostgreSQL its operator class
        # also serves the searches by a code's beginning (LIKE 'X%'), as the column's own
        # pattern index did.
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=models.Q(uscc__isnull=False),
                opclasses=["varchar_pattern_ops"],
                name=USCC_UNIQUE,
                violation_error_message=_("A company with this credit code already exists."),
            )
        ]
        # A company's subsidiaries and the companies merged into it are looked up by key
        # (parent_id = …, merged_into_id IN …), which these partial indexes serve; the enterprise
        # base's millions of companies have neither, so their rows are no part of them (a whole
        # index of NULLs cost a bulk load 2.6 s to build at 2,000,000 companies on SQLite).
        indexes = [
            models.Index(fields=["name_normalized"], name="company_name_normalized"),
            models.Index(fields=["name_initials"], name="company_name_initials"),
            models.Index(
                fields=["parent"],
                name="companies_company_parent",
                condition=models.Q(parent__isnull=False),
            ),
            models.Index(
                fields=["merged_into"],
                name="companies_company_merged_into",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from yinli.core.names import normalize_company_name, pinyin_initials

        self.name = " ".join(self.name.split())
        self.name_normalized = normalize_company_name(self.name)[:200]
        self.name_initials = pinyin_initials(self.name)[:200]
        if self.uscc == "":
            self.uscc = None
        super().save(*args, **kwargs)


class CompanyMerge(models.Model):
    """A merge of two companies: exactly what moved to the kept one, so that it can be reversed."""

    kept = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("kept company")
    )
    merged = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged company")
    )
    # {"app_label.model.field": [primary keys]}: the rows whose reference moved to `kept`.
    moved = models.JSONField(_("moved records"), default=dict)
    kept_before = models.JSONField(_("kept company before"), default=dict)
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
        verbose_name = _("company merge")
        verbose_name_plural = _("company merges")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id}"

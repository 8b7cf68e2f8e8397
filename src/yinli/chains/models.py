"""Industry chains (产业链): nodes, classification of companies, gaps and targets.

A chain is a tree of nodes, each upstream / midstream / downstream (上游/中游/下游), with the words
that place a company on it (keywords, found in its business scope and name), the words that veto
it (exclude words) and optionally GB/T 4754-2017 industry codes. `CompanyNode` holds where the
classifier put each company, with a score and the words that matched; a person's confirmation or
override stays through every later run.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yinli.companies.models import Company
from yinli.core.models import Region, Tracked

WORD_SEPARATORS = re.compile(r"[\n\r\t,，;；、|]+")


def split_words(text: str) -> list[str]:
    """Words as a person types them: one per line, or separated by commas, 、 or semicolons."""
    seen: dict[str, None] = {}
    for word in WORD_SEPARATORS.split(text or ""):
        word = word.strip()
        if word:
            seen.setdefault(word, None)
    return list(seen)


class IndustryLevel(models.TextChoices):
    SECTION = "section", _("Section (门类)")
    DIVISION = "division", _("Division (大类)")
    GROUP = "group", _("Group (中类)")
    CLASS = "class", _("Class (小类)")


class IndustryClass(models.Model):
    """A class of GB/T 4754-2017 (国民经济行业分类): the project-owned table (data/SOURCES.md)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=IndustryLevel.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry class (GB/T 4754)")
        verbose_name_plural = _("industry classes (GB/T 4754)")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Segment(models.TextChoices):
    UPSTREAM = "upstream", _("Upstream (上游)")
    MIDSTREAM = "midstream", _("Midstream (中游)")
    DOWNSTREAM = "downstream", _("Downstream (下游)")


SEGMENT_ORDER = [s.value for s in Segment]


class Chain(Tracked):
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    # Names of project industry directions (projects.Industry) whose projects belong to the chain.
    industries = models.TextField(
        _("industry directions"),
        blank=True,
        help_text=_("The project industry directions of this chain, one per line."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("industry chain")
        verbose_name_plural = _("industry chains")
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(deleted_at__isnull=True),
                name="chains_chain_live_name",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def industry_names(self) -> list[str]:
        return split_words(self.industries)


class ChainNode(Tracked):
    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("chain")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent node"),
    )
    name = models.CharField(_("name"), max_length=64)
    segment = models.CharField(
        _("segment"), max_length=16, choices=Segment.choices, default=Segment.MIDSTREAM
    )
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("Words in a business scope or company name that place a company here."),
    )
    exclude_words = models.TextField(
        _("exclude words"),
        blank=True,
        help_text=_("Words that keep a company off this node even when a keyword matches."),
    )
    industry_codes = models.CharField(
        _("industry codes (GB/T 4754)"),
        max_length=300,
        blank=True,
        help_text=_("Codes of any level, e.g. 3825 or 38; a company's code matches by prefix."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["chain", "sort_order", "id"]
        verbose_name = _("chain node")
        verbose_name_plural = _("chain nodes")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "name"],
                condition=models.Q(deleted_at__isnull=True),
                name="chains_node_live_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.chain.name} · {self.name}" if self.chain_id else self.name

    @property
    def keyword_list(self) -> list[str]:
        return split_words(self.keywords)

    @property
    def exclude_list(self) -> list[str]:
        return split_words(self.exclude_words)

    @property
    def code_list(self) -> list[str]:
        return split_words(self.industry_codes.replace(" ", ","))


class Source(models.TextChoices):
    AUTO = "auto", _("Classifier")
    MANUAL = "manual", _("Added by hand")


class Decision(models.TextChoices):
    NONE = "", _("Not reviewed")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Overridden: not on this node")


class CompanyNode(models.Model):
    """A company on a chain node, as the classifier found it or a person decided.

    Reclassification replaces the classifier's unreviewed rows only: a confirmed row stays (its
    score and words are refreshed), a rejected one keeps the company off the node. Counts are
    of distinct companies.
    """

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="chain_nodes", verbose_name=_("company")
    )
    node = models.ForeignKey(
        ChainNode, on_delete=models.CASCADE, related_name="companies", verbose_name=_("node")
    )
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, default=0)
    matched = models.JSONField(_("matched words"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default="auto")
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default="", blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    classified_at = models.DateTimeField(_("classified at"), default=timezone.now)

    # The company's figures the target ranking scores (chains.targets), copied here so that a
    # node's ranking reads this table alone. Filled when `basis_ready` is false (a new row, or
    # its company changed: chains.target_signals) by targets.refresh_basis before a ranking.
    basis_ready = models.BooleanField(default=False, db_default=False, editable=False)
    basis_open = models.BooleanField(default=False, db_default=False, editable=False)  # live
    basis_region = models.BigIntegerField(null=True, editable=False)
    basis_lat = models.FloatField(null=True, editable=False)
    basis_lng = models.FloatField(null=True, editable=False)
    basis_capital = models.FloatField(null=True, editable=False)
    basis_staff = models.FloatField(null=True, editable=False)
    basis_founded = models.DateField(null=True, editable=False)

    class Meta:
        ordering = ["node", "-score", "company_id"]
        verbose_name = _("company on a chain node")
        verbose_name_plural = _("companies on chain nodes")
        # Not unique on (company, node): a company merge moves the merged company's rows to the
        # kept one as they are (and an undo moves them back), so both may sit on one node.
        indexes = [
            models.Index(fields=["node", "decision"]),
            models.Index(fields=["company", "node"]),
            models.Index(fields=["node", "basis_ready"], name="chains_node_basis"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} → {self.node_id}"

    @property
    def is_placed(self) -> bool:
        """On the node: found by the classifier or confirmed, and not overridden."""
        return self.decision != Decision.REJECTED


class CompanyProfile(models.Model):
    """What the enterprise base knows of a company beyond the registry's own fields.

    The registry fields (legal representative, registered capital, founding date, status,
    industry code, insured staff, business scope, address, region) live on companies.Company;
    this chains-owned row adds what an enterprise-base import brings besides them.
    """

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="profile", verbose_name=_("company")
    )
    enterprise_type = models.CharField(_("enterprise type (企业类型)"), max_length=64, blank=True)
    # Where the registry export placed it (所属省份/城市/区县), when it differs from Company.region.
    registry_region = models.ForeignKey(
        Region,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region in the registry export"),
    )
    source = models.CharField(_("source of the record"), max_length=64, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profiles")

    def __str__(self) -> str:
        return str(self.company_id)


class RelationKind(models.TextChoices):
    """How company A stands to company B (企业A 是 企业B 的 …)."""

    SUPPLIER = "supplier", _("Supplier")
    CUSTOMER = "customer", _("Customer")
    SHAREHOLDER = "shareholder", _("Shareholder")
    PARTNER = "partner", _("Partner")


class RelationSource(models.TextChoices):
    HAND = "hand", _("Entered by hand")
    SHEET = "sheet", _("Imported from a sheet")


class Relationship(Tracked):
    """A link between two companies: A is B's supplier, customer, shareholder or partner.

    The chain map shows a node's local companies' partners elsewhere, and a target tied to a
    home-city company scores the 以商引商 bonus (chains.targets).
    """

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="relationships", verbose_name=_("company A")
    )
    other = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="related_from", verbose_name=_("company B")
    )
    kind = models.CharField(_("relationship"), max_length=16, choices=RelationKind.choices)
    source = models.CharField(
        _("source"), max_length=8, choices=RelationSource.choices, default=RelationSource.HAND
    )
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["company", "kind", "other"]
        verbose_name = _("company relationship")
        verbose_name_plural = _("company relationships")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "other", "kind"],
                condition=models.Q(deleted_at__isnull=True),
                name="chains_relationship_live_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(company=models.F("other")),
                name="chains_relationship_two_companies",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.kind} {self.other_id}"


class TargetList(Tracked):
    """A target list (招商清单): companies chosen from a node's ranking, assigned to a team.

    Visible to the team (and the units under it), its district and the city (chains.scoping).
    """

    name = models.CharField(_("name"), max_length=100)
    node = models.ForeignKey(
        ChainNode, on_delete=models.PROTECT, related_name="target_lists", verbose_name=_("node")
    )
    team = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        related_name="target_lists",
        verbose_name=_("assigned team"),
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("target list")
        verbose_name_plural = _("target lists")

    def __str__(self) -> str:
        return self.name


class TargetItem(models.Model):
    """A company on a target list, with its score and score parts as they were when saved."""

    target_list = models.ForeignKey(
        TargetList, on_delete=models.CASCADE, related_name="items", verbose_name=_("target list")
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="target_items", verbose_name=_("company")
    )
    rank = models.PositiveIntegerField(_("rank"), default=0)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=1, default=0)
    parts = models.JSONField(_("score parts"), default=dict, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead made"),
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["target_list", "rank", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.target_list_id}: {self.company_id}"

"""Annual targets (目标任务) and the scoring schemes of the ranking of districts (考核排名)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yinli.core.models import OrgUnit, Tracked


class Breakdown(models.TextChoices):
    """How the annual value is spread over the year (the schedule, 时序)."""

    EVEN_MONTHS = "even_months", _("Evenly by month")
    EVEN_QUARTERS = "even_quarters", _("Evenly by quarter")
    MONTHS = "months", _("Set per month")
    QUARTERS = "quarters", _("Set per quarter")


class Target(Tracked):
    """The annual value of one figure for one unit (a district, a bureau or a team).

    `parts` holds the amounts of each month (12) or quarter (4) as decimal text when the
    breakdown is set by hand; they must add up to `annual` (yinli.targets.services checks it).
    The actual is computed under `definition` (the statistics version the target was set in).
    """

    year = models.PositiveIntegerField(_("year"))
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="targets", verbose_name=_("unit")
    )
    figure = models.CharField(_("figure"), max_length=48)
    annual = models.DecimalField(_("annual target"), max_digits=20, decimal_places=4)
    breakdown = models.CharField(
        _("breakdown"), max_length=16, choices=Breakdown.choices, default=Breakdown.EVEN_MONTHS
    )
    parts = models.JSONField(_("amounts per month or quarter"), default=list, blank=True)
    definition = models.ForeignKey(
        "stats.Definition",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("definition version"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "unit__sort_order", "unit__code", "figure"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "figure"],
                condition=Q(deleted_at__isnull=True),
                name="targets_one_live_target_per_unit_figure_year",
            )
        ]
        indexes = [models.Index(fields=["year", "figure"])]

    def __str__(self) -> str:
        return f"{self.year} {self.unit} {self.figure}"


class ScoringScheme(Tracked):
    """The rules of the ranking (考核排名/龙虎榜) as data: items with weights and points."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default scheme"), default=False)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")

    def __str__(self) -> str:
        return self.name


class ItemKind(models.TextChoices):
    FIGURE = "figure", _("Figure against its target")
    BIG_PROJECT = "big_project", _("Bonus per large signed project")
    LOST_PROJECT = "lost_project", _("Deduction per project lost")
    LATE_REPORT = "late_report", _("Deduction per late report")
    CONFLICT_AGAINST = "conflict_against", _("Deduction per conflict ruled against")


class ScoringItem(models.Model):
    """One line of a scheme.

    figure: points = weight × min(actual ÷ scheduled, cap) (yinli.targets.scoring explains the
    edge cases); every other kind: `points` per occurrence (negative for a deduction).
    """

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    figure = models.CharField(_("figure"), max_length=48, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2, null=True, blank=True)
    cap = models.DecimalField(
        _("cap on actual ÷ schedule"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    points = models.DecimalField(
        _("points per occurrence"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    threshold_yi = models.DecimalField(
        _("threshold (100 million yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("scoring item")
        verbose_name_plural = _("scoring items")

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.kind} {self.figure}"

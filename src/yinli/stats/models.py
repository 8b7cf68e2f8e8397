"""Statistics definitions (统计口径) and the monthly conversion rates they convert with."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CountAt(models.TextChoices):
    FIRST_SIGNED_ON = "first_signed_on", _("The date of the first formal signing")


class ForeignShareBasis(models.TextChoices):
    TOTAL_INVESTMENT = (
        "total_investment_of_foreign_projects",
        _("Total investment of foreign-funded projects ÷ total signed investment"),
    )
    AGREED_FOREIGN = (
        "agreed_foreign_investment",
        _("Agreed foreign investment (converted to yuan) ÷ total signed investment"),
    )


class SourceRule(models.TextChoices):
    CONTROLLER_ELSE_SIGNER = (
        "controller_else_signer",
        _("The actual controller's location where known, else the signing entity's"),
    )


class Rounding(models.TextChoices):
    HALF_UP = "half_up", _("Half up (四舍五入)")


class YoyOnZero(models.TextChoices):
    NULL = "null", _("No figure (null) when last year's figure is zero")


# The fields that make a version what it is: once saved they never change (a new version does).
PARAMETER_FIELDS = (
    "name",
    "threshold_total_wan",
    "threshold_foreign",
    "threshold_foreign_currency",
    "convert_foreign_threshold",
    "categories",
    "count_expansion",
    "count_at",
    "expansion_as_local",
    "foreign_share_basis",
    "source_rule",
    "size_bands_yi",
    "rounding",
    "decimal_places",
    "yoy_on_zero",
    "top_cities_years",
    "wording",
)


def _default_categories() -> list[str]:
    return ["industrial", "service"]


def _default_size_bands() -> list[int]:
    return [1, 10, 30]


def _default_wording() -> dict:
    import copy

    from .definitions import DEFAULT_WORDING

    return copy.deepcopy(DEFAULT_WORDING)


class Definition(models.Model):
    """A version of the statistics definition (统计口径): what counts, and how it is said.

    Versions are immutable: an analyst's edit makes version n+1
    (`yinli.stats.definitions.definition_new_version`), and exactly one version is current.
    Every figure, export and bulletin names the version it used.
    """

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), unique=True)
    is_current = models.BooleanField(_("current"), default=False)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    # What counts as a signed project above the threshold (签约亿元以上项目).
    threshold_total_wan = models.DecimalField(
        _("threshold on total investment (10k yuan)"),
        max_digits=18,
        decimal_places=4,
        default=Decimal(10000),
    )
    threshold_foreign = models.DecimalField(
        _("threshold on agreed foreign investment (10k of its currency)"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        default=Decimal(1000),
        help_text=_("Empty: agreed foreign investment alone never qualifies a project."),
    )
    threshold_foreign_currency = models.CharField(
        _("currency of the foreign-investment threshold"), max_length=3, default="USD"
    )
    convert_foreign_threshold = models.BooleanField(
        _("convert other currencies for the foreign-investment threshold"),
        default=False,
        help_text=_(
            "Off: only amounts stored in the threshold's currency are compared. On: amounts in "
            "other currencies are converted at the signing month's rates first."
        ),
    )
    categories = models.JSONField(_("categories counted"), default=_default_categories)
    count_expansion = models.BooleanField(
        _("count expansions of local companies (增资扩产)"), default=True
    )
    count_at = models.CharField(
        _("counted at"), max_length=32, choices=CountAt.choices, default=CountAt.FIRST_SIGNED_ON
    )
    expansion_as_local = models.BooleanField(
        _("show expansions as local (本地增资), never as a source"), default=True
    )
    foreign_share_basis = models.CharField(
        _("basis of the foreign share"),
        max_length=48,
        choices=ForeignShareBasis.choices,
        default=ForeignShareBasis.TOTAL_INVESTMENT,
    )
    source_rule = models.CharField(
        _("where a project comes from"),
        max_length=32,
        choices=SourceRule.choices,
        default=SourceRule.CONTROLLER_ELSE_SIGNER,
    )
    size_bands_yi = models.JSONField(
        _("size bands (100 million yuan)"), default=_default_size_bands
    )
    rounding = models.CharField(
        _("rounding"), max_length=16, choices=Rounding.choices, default=Rounding.HALF_UP
    )
    decimal_places = models.PositiveSmallIntegerField(_("decimal places shown"), default=1)
    yoy_on_zero = models.CharField(
        _("year-on-year change on a zero base"),
        max_length=8,
        choices=YoyOnZero.choices,
        default=YoyOnZero.NULL,
    )
    top_cities_years = models.PositiveSmallIntegerField(
        _("years looked back for the top source cities"), default=3
    )
    wording = models.JSONField(_("bulletin wording rules"), default=_default_wording)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("statistics definition")
        verbose_name_plural = _("statistics definitions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="stats_one_current_definition",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values(*PARAMETER_FIELDS).first()
            if stored is not None:
                changed = [f for f in PARAMETER_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise ValidationError(
                        _(
                            "A definition version never changes (changed: %(fields)s); "
                            "make a new version instead."
                        )
                        % {"fields": ", ".join(changed)},
                        code="immutable",
                    )
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from .definitions import validate_definition

        validate_definition(self)


class ConversionRate(models.Model):
    """The yuan value of one unit of a currency in a month (e.g. USD 2025-06: 7.18 yuan).

    Agreed foreign investment converts at the rate of its signing month; a month without a row
    uses the latest earlier month.
    """

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(_("yuan per unit"), max_digits=18, decimal_places=8)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["-month", "currency"]
        verbose_name = _("conversion rate")
        verbose_name_plural = _("conversion rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="stats_one_rate_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.month:%Y-%m} {self.rate}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Give the first day of the month.")})
        if self.rate is not None and self.rate <= 0:
            raise ValidationError({"rate": _("A rate must be above zero.")})
        self.currency = (self.currency or "").upper()


class PublishedReport(models.Model):
    """A report frozen when the city published it (发布): its figures as computed then, the
    definition version, and the ids of the projects each headline figure counted.

    Immutable: a correction is published again as a new record that `supersedes` this one
    (yinli.stats.publish). The frozen figures stay what was announced; the live ones are
    compared with them (`diff_since_published`) so that a moved number is explained.
    """

    period_code = models.CharField(_("period"), max_length=32, db_index=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    district = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Empty: the whole city."),
    )
    definition = models.ForeignKey(
        Definition, on_delete=models.PROTECT, related_name="+", verbose_name=_("definition")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    report = models.JSONField(_("report as published"))
    counted_ids = models.JSONField(
        _("projects counted by each headline figure"),
        help_text=_("Figure key → the ids of the projects it counted."),
    )
    projects = models.JSONField(
        _("the counted projects as they stood"),
        help_text=_("Project id → the fields the figures depend on, when it was published."),
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        indexes = [models.Index(fields=["period_code", "district"], name="stats_pub_period_scope")]

    def __str__(self) -> str:
        return self.title or f"{self.period_code} v{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk and type(self).objects.filter(pk=self.pk).exists():
            raise ValidationError(
                _("A published report never changes; publish the period again instead."),
                code="immutable",
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(
            _("A published report is never deleted; publish the period again instead."),
            code="immutable",
        )

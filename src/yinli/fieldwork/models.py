"""Channels and events. The Field work issue adds visits and trips and fills these out."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yinli.core.models import OrgUnit, Region, Tracked


class Channel(models.Model):
    """How a project was attracted (招商方式): 驻点招商, 以商引商, 委托招商 … — data, not code."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32, unique=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    PROMOTION = "promotion", _("Promotion conference (推介会)")
    SIGNING = "signing", _("Signing ceremony (集中签约)")
    FAIR = "fair", _("Fair (展会)")
    VISIT_ABROAD = "visit_abroad", _("Visit abroad (出访)")
    FORUM = "forum", _("Forum (论坛)")
    OTHER = "other", _("Other")


class Event(Tracked):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    held_on = models.DateField(_("date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    place = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("place")
    )
    organiser = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organiser")
    )
    programme = models.CharField(_("programme"), max_length=64, blank=True)
    leaders = models.CharField(_("leaders attending"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "name"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.name

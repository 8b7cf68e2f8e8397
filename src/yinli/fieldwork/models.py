"""Field work: channels, programmes and events, visits (走访), trips (行程) and channel attribution.

A visit is made by a unit (and named people) to a company at a place; it may lead to a project.
A trip is a unit's journey from the home city through ordered stops and back; its visits hang on
its stops. Distances are kept as the team reported them (per leg or for the whole trip); the
estimate from the stop coordinates lives in yinli.fieldwork.distance, not in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yinli.core.models import OrgUnit, Region, RegionKind, Tracked


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


class Programme(models.Model):
    """A city's system of promotion activities (the “4232” programme, say): events belong to one."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    organiser = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organiser")
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    PROMOTION = "promotion", _("Promotion conference (推介会)")
    SIGNING = "signing", _("Signing ceremony (集中签约)")
    FAIR = "fair", _("Fair (展会)")
    VISIT_ABROAD = "visit_abroad", _("Visit abroad (出访)")
    FORUM = "forum", _("Forum (论坛)")
    OTHER = "other", _("Other")


class PlaceKind(models.TextChoices):
    HOME = "home", _("Home city (本市)")
    OTHER_CITY = "other_city", _("Another city (外地)")
    ABROAD = "abroad", _("Abroad (境外)")


def place_kind_of(region: Region | None) -> str:
    """Home city, another city or abroad (香港、澳门、台湾 count as abroad, as in 出访)."""
    if region is None:
        return ""
    if region.kind in (RegionKind.COUNTRY, RegionKind.FOREIGN_CITY) or region.country != "CN":
        return PlaceKind.ABROAD
    if region.code[:2] in ("71", "81", "82"):
        return PlaceKind.ABROAD
    home = settings.HOME_REGION
    if region.code == home or (region.city_id and region.city.code == home):
        return PlaceKind.HOME
    return PlaceKind.OTHER_CITY


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
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("programme"),
    )
    leaders = models.CharField(_("leaders attending"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "name"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.name

    @property
    def place_kind(self) -> str:
        return place_kind_of(self.place)

    def get_place_kind_display(self) -> str:
        kind = self.place_kind
        return str(PlaceKind(kind).label) if kind else ""


class Outcome(models.TextChoices):
    NEW_LEAD = "new_lead", _("New lead (新线索)")
    FOLLOW_UP = "follow_up", _("Follow-up (持续跟进)")
    NO_INTEREST = "no_interest", _("No interest (暂无意向)")


class Trip(Tracked):
    """A unit's journey: from the home city through ordered stops and back."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="trips", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    start_on = models.DateField(_("start date"))
    end_on = models.DateField(_("end date"))
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="fieldwork_trips",
        verbose_name=_("people"),
    )
    other_people = models.CharField(_("other people"), max_length=200, blank=True)
    # Entered for the whole trip; when empty the legs' distances (and the way home) are added.
    reported_km = models.DecimalField(
        _("distance reported for the trip (km)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
    )
    return_km = models.DecimalField(
        _("distance of the way home (km)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    # What the summary adds up: reported_km, else the legs plus the way home (services keep it).
    reported_total_km = models.DecimalField(
        _("reported distance (km)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(m2m_fields=[people])

    class Meta:
        ordering = ["-start_on", "-id"]
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        indexes = [models.Index(fields=["unit", "start_on"])]

    def __str__(self) -> str:
        return self.title or f"{self.unit} {self.start_on:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.end_on - self.start_on).days + 1


class TripStop(models.Model):
    """One stop of a trip, in order; `leg_km` is the reported distance from the previous stop
    (from the home city for the first)."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="stops")
    order = models.PositiveIntegerField(_("order"))
    place = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    arrive_on = models.DateField(_("arrival date"), null=True, blank=True)
    leg_km = models.DecimalField(
        _("distance of the leg (km)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["trip", "order"]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        constraints = [
            models.UniqueConstraint(fields=["trip", "order"], name="fieldwork_stop_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.place}"


class Visit(Tracked):
    """A visit (走访/拜访) to a company: who, where, why, what came of it, what comes next."""

    visited_on = models.DateField(_("date"), db_index=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="visits", verbose_name=_("unit")
    )
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="fieldwork_visits",
        verbose_name=_("people"),
    )
    other_people = models.CharField(
        _("other people"), max_length=200, blank=True, help_text=_("Names, separated by 、")
    )
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("company"),
    )
    # A company not (yet) in the registry, as written.
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    place = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place"),
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    learned = models.TextField(_("what was learned"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step by"), null=True, blank=True)
    next_step_done = models.BooleanField(_("next step done"), default=False)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("project"),
    )
    stop = models.ForeignKey(
        TripStop,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("trip stop"),
    )

    history = HistoricalRecords(m2m_fields=[people])

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["unit", "visited_on"]),
            models.Index(fields=["next_step_done", "next_step_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.visited_name}"

    @property
    def visited_name(self) -> str:
        return self.company.name if self.company_id else self.company_name

    @property
    def people_names(self) -> list[str]:
        names = [str(person) for person in self.people.all()]
        names += [n for n in self.other_people.replace(",", "、").split("、") if n.strip()]
        return names


class ChannelAttribution(Tracked):
    """Who brought a project (招商渠道的细节), one-to-one with it: the introducing company for
    以商引商, the agent and the agreement for 委托招商 and 中介招商, the liaison office for 驻点招商.
    The channel itself and the event (活动招商) stay on the project."""

    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="attribution",
        verbose_name=_("project"),
    )
    introducer_company = models.ForeignKey(
        "companies.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="introduced_attributions",
        verbose_name=_("introducing local company"),
    )
    agent = models.CharField(_("agent"), max_length=200, blank=True)
    agreement = models.CharField(_("agency agreement"), max_length=200, blank=True)
    agreement_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    station = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("liaison office"),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("channel attribution")
        verbose_name_plural = _("channel attributions")
        indexes = [models.Index(fields=["agent"])]

    def __str__(self) -> str:
        return f"{self.project_id}"

"""Reference data (regions), the organisation tree, people, and the base of every tracked record."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Prefecture city")
    COUNTY = "county", _("County")
    COUNTRY = "country", _("Country")
    FOREIGN_CITY = "foreign_city", _("Foreign city")


class Region(models.Model):
    """A place an investor comes from or a project lands in.

    Chinese units are keyed by their 6-digit adcode (GB/T 2260), countries by ISO 3166 alpha-2,
    foreign cities by ISO2-SLUG. `province` and `city` point up the tree (a unit is its own
    province or city at that level) so that statistics group by them without walking parents.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RegionKind.choices)
    name = models.CharField(_("name"), max_length=64)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    province = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    city = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    country = models.CharField(_("country"), max_length=2, default="CN", db_index=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=5, null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=5, null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    former_names = models.TextField(_("former names"), blank=True)
    aliases = models.TextField(_("aliases"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """A name a reader recognises: 江苏省镇江市京口区, 韩国首尔."""
        if self.kind == RegionKind.COUNTY and self.city_id and self.city_id != self.id:
            city = self.city
            prefix = city.name if city.name != self.name else ""
            # A municipality's city is named like its province: 北京市朝阳区, not 北京北京市朝阳区.
            if city.province_id and city.province_id != city.id and city.province.name != city.name:
                prefix = city.province.short_name + prefix
            return prefix + self.name
        if self.kind == RegionKind.CITY and self.province_id and self.province_id != self.id:
            if self.province.name == self.name:
                return self.name
            return self.province.short_name + self.name
        if self.kind == RegionKind.FOREIGN_CITY and self.parent_id:
            return self.parent.name + self.name
        return self.name

    @property
    def is_domestic(self) -> bool:
        return self.kind in (RegionKind.PROVINCE, RegionKind.CITY, RegionKind.COUNTY)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to >= timezone.localdate()


class RegionGroup(models.Model):
    """A named set of regions (粤港澳大湾区, 长三角 …); a member includes everything under it."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)
    members = models.ManyToManyField(Region, related_name="groups", verbose_name=_("members"))
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("region group")
        verbose_name_plural = _("region groups")

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District or park")
    BUREAU = "bureau", _("Investment bureau")
    TEAM = "team", _("Team")
    OFFICE = "office", _("Liaison office")
    DEPARTMENT = "department", _("Department")


class OrgUnit(models.Model):
    """The organisation tree: city → district/park (板块) → bureau (招商局) → team.

    Units are never deleted: a reorganisation ends a unit (`valid_to`) and names its successor,
    so that old records keep the unit they were made under.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # The district (板块) this unit belongs to; a district is its own. City-level units have none.
    district = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successor"),
    )
    industry_directions = models.TextField(_("industry directions"), blank=True)
    # A district shares its ledger (read only) with its bureaus and teams unless this is off.
    shares_with_subunits = models.BooleanField(
        _("shares its ledger with its sub-units"), default=True
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def is_active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def save(self, *args, **kwargs):
        if self.kind == OrgKind.DISTRICT:
            self.district = self if self.pk else None
        elif self.parent_id:
            self.district = self.parent.district
        else:
            self.district = None
        super().save(*args, **kwargs)
        if self.kind == OrgKind.DISTRICT and self.district_id != self.pk:
            type(self).objects.filter(pk=self.pk).update(district=self.pk)
            self.district_id = self.pk


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    CITY_ANALYST = "city_analyst", _("City analyst")
    DISTRICT_EDITOR = "district_editor", _("District editor")
    TEAM_MEMBER = "team_member", _("Team member")
    VIEWER = "viewer", _("Viewer")


CITY_ROLES = {Role.CITY_ADMIN, Role.CITY_ANALYST}


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation unit"),
    )
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    amount_unit = models.CharField(
        _("amounts shown in"),
        max_length=4,
        choices=[("yi", _("100 million yuan (亿元)")), ("wan", _("10 thousand yuan (万元)"))],
        default="yi",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_city_role(self) -> bool:
        return self.is_superuser or self.role in CITY_ROLES


class ApiToken(models.Model):
    """A bearer token for the REST API (`Authorization: Bearer TOKEN`)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="api_token")
    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.user} token"

    @classmethod
    def for_user(cls, user: User) -> ApiToken:
        token, _created = cls.objects.get_or_create(
            user=user, defaults={"key": secrets.token_hex(20)}
        )
        return token


class LiveManager(models.Manager):
    """Records that are not soft-deleted."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Tracked(models.Model):
    """Base of every record people edit: soft delete, optimistic version, who and when.

    `version` rises by one on every write; a write based on an older version is refused
    (yinli.core.services.save_tracked). The change history itself is kept by simple_history.
    """

    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Notification(models.Model):
    """A message in the app for one user or for everyone of an organisation unit."""

    recipient_user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    recipient_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient unit"),
    )
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.text

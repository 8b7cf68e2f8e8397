"""The administrator's pages for reference data: region groups, units, users, tokens.

Regions themselves come from the reference data set (`yinli loadregions`); an admin may still
correct a name or add an alias here.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, OrgUnit, Region, RegionGroup, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "country", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "short_name", "aliases", "former_names"]
    raw_id_fields = ["parent", "province", "city"]
    readonly_fields = ["province", "city"]


@admin.register(RegionGroup)
class RegionGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "member_count"]
    filter_horizontal = ["members"]
    search_fields = ["name"]

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return obj.members.count()


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to", "successor"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "short_name"]
    raw_id_fields = ["region"]
    readonly_fields = ["district"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "org_unit", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Yinli"), {"fields": ("display_name", "phone", "role", "org_unit", "amount_unit")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "last_used_at"]
    readonly_fields = ["key", "created_at", "last_used_at"]

"""Alert rules and permit templates: data the city edits without code (rules also on their page)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AlertRule, PermitTemplate, PermitTemplateItem


@admin.register(AlertRule)
class AlertRuleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "from_stage", "to_stage", "months", "funds_pct", "active"]
    list_filter = ["kind", "active"]


class PermitTemplateItemInline(admin.TabularInline):
    model = PermitTemplateItem
    extra = 1
    fields = ["order", "name", "department", "note"]


@admin.register(PermitTemplate)
class PermitTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "kind", "active"]
    list_filter = ["category", "kind", "active"]
    inlines = [PermitTemplateItemInline]

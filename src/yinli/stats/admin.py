"""The administrator's pages for statistics data: conversion rates (editable) and definitions (read).

A definition version never changes once saved; a new version is made with
`yinli.stats.definitions.definition_new_version` (the statistics pages will offer it).
"""

from django.contrib import admin

from .models import PARAMETER_FIELDS, ConversionRate, Definition


@admin.register(ConversionRate)
class ConversionRateAdmin(admin.ModelAdmin):
    list_display = ["month", "currency", "rate", "source"]
    list_filter = ["currency"]
    date_hierarchy = "month"
    search_fields = ["currency", "source"]


@admin.register(Definition)
class DefinitionAdmin(admin.ModelAdmin):
    list_display = ["version", "name", "is_current", "threshold_total_wan", "created_at"]
    readonly_fields = [
        *PARAMETER_FIELDS,
        "version",
        "is_current",
        "based_on",
        "created_by",
        "created_at",
    ]
    fields = [
        "version",
        "is_current",
        "based_on",
        "note",
        "created_by",
        "created_at",
        *PARAMETER_FIELDS,
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

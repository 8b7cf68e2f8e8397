"""Departments are data the city keeps in the admin (add its own, retire one with ``active``).
Obstacles, task forces, instructions and documents are edited on their own pages, which keep
their versions, history and rules."""

from django.contrib import admin

from .models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "org_unit", "active", "sort_order"]
    list_editable = ["active", "sort_order"]
    search_fields = ["name", "short_name", "code"]

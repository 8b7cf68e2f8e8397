"""The reporting calendar as data the city edits: schedules (deadline days, the major-project rule
and the projects chosen by hand for the weekly report) and the periods they generate. Reports,
their steps and corrections are written only through the report pages (yinli.reporting.services)."""

from django.contrib import admin

from .models import ReportPeriod, Schedule


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "frequency", "due_days", "major_threshold_wan", "active"]
    raw_id_fields = ["projects"]


@admin.register(ReportPeriod)
class ReportPeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "schedule", "start", "end", "deadline"]
    list_filter = ["schedule"]
    date_hierarchy = "start"

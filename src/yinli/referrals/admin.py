"""Scorecards, their criteria and bands: data the city edits without code. (District profiles
are edited on their own page, which keeps their version and history.)"""

from django.contrib import admin

from .models import Criterion, ScoreBand, Scorecard


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    fields = [
        ("name", "unit", "weight", "sort_order"),
        ("direction", "method"),
        ("scale_min", "scale_max", "threshold"),
        "help_text",
    ]


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "active"]
    inlines = [CriterionInline]


class ScoreBandInline(admin.TabularInline):
    model = ScoreBand
    extra = 1


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "scorecard", "unit", "weight", "direction", "method", "threshold"]
    list_filter = ["scorecard"]
    inlines = [ScoreBandInline]

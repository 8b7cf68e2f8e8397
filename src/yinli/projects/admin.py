from django.contrib import admin

from .models import Industry, Tag


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "sort_order"]
    search_fields = ["name", "synonyms"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]

from django.contrib import admin

from .models import Channel, Programme


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """The city's activity systems (“4232”) are data an administrator keeps."""

    list_display = ["name", "organiser", "sort_order"]

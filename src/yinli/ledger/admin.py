from django.contrib import admin

from .models import ImportBatch, ImportMapping, ValueSynonym


@admin.register(ValueSynonym)
class ValueSynonymAdmin(admin.ModelAdmin):
    list_display = ["kind", "text", "value"]
    list_filter = ["kind"]
    search_fields = ["text", "value"]


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "updated_at"]
    list_filter = ["district"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "kind",
        "user",
        "district",
        "started_at",
        "rows",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "error_count",
        "status",
    ]
    list_filter = ["kind", "status", "district"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False

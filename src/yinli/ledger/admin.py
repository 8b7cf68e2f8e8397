from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .export import EXPORT_FIELDS, validate_columns
from .models import ExportLog, ExportTemplate, ImportBatch, ImportMapping, ValueSynonym


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


# -- export templates: columns as lines of text, no code ------------------------------------

_SEPARATORS = ("|", "｜")


def columns_to_text(columns: list[dict]) -> str:
    lines = []
    for column in columns or []:
        field = EXPORT_FIELDS.get(column.get("field"))
        parts = [field.label if field else str(column.get("field") or "")]
        header, width, unit = column.get("header") or "", column.get("width"), column.get("unit")
        if header != parts[0] or width or unit:
            parts.append(header)
        if width or unit:
            parts.append(str(width or ""))
        if unit:
            parts.append(unit)
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _field_for(word: str) -> str | None:
    """A column's field by its key (total_investment) or its Chinese label (总投资(亿元), 总投资)."""
    if word in EXPORT_FIELDS:
        return word
    plain = "".join(word.split())
    for key, field in EXPORT_FIELDS.items():
        label = "".join(field.label.split())
        if plain in (label, label.split("(")[0]):
            return key
    return None


def text_to_columns(text: str) -> list[dict]:
    columns, problems = [], []
    lines = [line for line in (text or "").splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        for separator in _SEPARATORS[1:]:
            line = line.replace(separator, _SEPARATORS[0])
        parts = [part.strip() for part in line.split("|")]
        word = parts[0]
        key = _field_for(word)
        if key is None:
            problems.append(
                gettext("Line %(line)s: there is no field “%(field)s”.")
                % {"line": number, "field": word}
            )
            continue
        columns.append(
            {
                "field": key,
                "header": parts[1] if len(parts) > 1 and parts[1] else EXPORT_FIELDS[key].label,
                "width": parts[2] if len(parts) > 2 and parts[2] else None,
                "unit": parts[3] if len(parts) > 3 else "",
            }
        )
    if problems:
        problems.append(gettext("The fields are listed under the box; write one column per line."))
        raise ValidationError(problems)
    return columns


class ExportTemplateForm(forms.ModelForm):
    column_lines = forms.CharField(
        label=_("Columns"),
        widget=forms.Textarea(attrs={"rows": 16, "cols": 60}),
        help_text=_(
            "One column per line, in order: field | header | width | unit. Only the field is "
            "needed (its Chinese name or key, e.g. 项目名称 or name); the header defaults to the "
            "field's name, the width to a sensible one; the unit (万元 or 亿元) pins an amount "
            "column, otherwise the unit chosen at export applies."
        ),
    )

    class Meta:
        model = ExportTemplate
        fields = ["name", "title", "amount_unit", "subtotals", "orientation", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["column_lines"].initial = columns_to_text(self.instance.columns)

    def clean_column_lines(self):
        columns = text_to_columns(self.cleaned_data["column_lines"])
        try:
            return validate_columns(columns)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def save(self, commit=True):
        self.instance.columns = self.cleaned_data["column_lines"]
        return super().save(commit=commit)


@admin.register(ExportTemplate)
class ExportTemplateAdmin(admin.ModelAdmin):
    form = ExportTemplateForm
    list_display = ["name", "title", "column_count", "amount_unit", "subtotals", "built_in"]
    readonly_fields = ["built_in", "available_fields"]
    fieldsets = [
        (None, {"fields": ["name", "title", "amount_unit", "subtotals", "orientation"]}),
        (_("Columns"), {"fields": ["column_lines", "available_fields"]}),
        (None, {"fields": ["sort_order", "built_in"]}),
    ]

    @admin.display(description=_("columns"))
    def column_count(self, obj):
        return len(obj.columns or [])

    @admin.display(description=_("Available fields"))
    def available_fields(self, obj=None):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td><code>{}</code></td></tr>",
            ((field.label, key) for key, field in EXPORT_FIELDS.items()),
        )
        return format_html('<table class="yinli-fields">{}</table>', rows)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.built_in:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "district", "template_name", "format", "row_count"]
    list_filter = ["format", "district"]
    readonly_fields = [f.name for f in ExportLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Forms of the import pages: the upload, the column mapping, the commit, the 入库 list."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinli.core import scoping

from .mapping import FIELD_LABELS, Column
from .models import ImportMapping

ACCEPTED_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")
IGNORE = ""


def _check_file(upload) -> None:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise forms.ValidationError(
            _("%(name)s: only .xlsx, .xls, .ods and .csv files can be imported.")
            % {"name": upload.name},
            code="bad_format",
        )
    limit = getattr(settings, "LEDGER_IMPORT_MAX_BYTES", 100 * 1024**2)
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is %(size)s; files larger than %(limit)s are not accepted.")
            % {"size": f"{upload.size / 1024**2:.1f} MB", "limit": f"{limit / 1024**2:.1f} MB"},
            code="too_large",
        )


class LedgerFileField(forms.FileField):
    default_error_messages = {
        "required": gettext_lazy("Choose the ledger file to import."),
        "empty": gettext_lazy("The file is empty."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Ledger file"))
        kwargs.setdefault("help_text", gettext_lazy(".xlsx, .xls, .ods or .csv (UTF-8 or GBK)"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": ",".join(ACCEPTED_SUFFIXES), "class": "form-control"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            _check_file(upload)
        return upload


class MappingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ImportMapping) -> str:
        district = obj.district.display_name if obj.district_id else ""
        return f"{obj.name}（{district}）" if district else obj.name


class UploadForm(forms.Form):
    """The ledger, the district it is for (only those the user may enter projects in), and
    optionally a saved column mapping."""

    file = LedgerFileField()
    district = forms.ModelChoiceField(
        queryset=None,
        label=gettext_lazy("District"),
        error_messages={"invalid_choice": gettext_lazy("You may not import into this district.")},
    )
    mapping = MappingChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Saved column mapping"),
        empty_label=gettext_lazy("Recognise the columns by their names"),
        error_messages={"invalid_choice": gettext_lazy("You may not use this saved mapping.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        districts = scoping.districts_for_entry(user).order_by("code")
        field = self.fields["district"]
        field.queryset = districts
        field.widget.attrs["class"] = "form-select"
        if scoping.changes_everything(user):
            field.required = False
            field.empty_label = _("As each row says (所属板块 column)")
            field.help_text = _("Leave empty when the ledger has rows of several districts.")
        else:
            field.empty_label = None
            own = list(districts[:2])
            if len(own) == 1:
                field.initial = own[0].pk
        mapping = self.fields["mapping"]
        mapping.queryset = ImportMapping.objects.filter(district__in=districts).select_related(
            "district"
        )
        mapping.widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        district, mapping = data.get("district"), data.get("mapping")
        if mapping is not None and district is not None and mapping.district_id != district.pk:
            self.add_error(
                "mapping",
                _("The mapping “%(name)s” belongs to %(district)s.")
                % {"name": mapping.name, "district": mapping.district.display_name},
            )
        return data


def field_choices() -> list[tuple[str, str]]:
    return [(IGNORE, _("(ignore this column)"))] + [
        (name, str(label)) for name, label in FIELD_LABELS.items()
    ]


class MappingForm(forms.Form):
    """One select per column of the ledger (its field, or ignored), and a name to save it."""

    save_as = forms.CharField(
        label=gettext_lazy("Save this mapping for the district as"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Optional. A saved mapping is offered at the next upload."),
    )

    def __init__(self, *args, columns: list[Column], can_save: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = field_choices()
        for column in columns:
            self.fields[self.key(column)] = forms.ChoiceField(
                label=column.header,
                choices=choices,
                required=False,
                initial=column.field or IGNORE,
            )
            self.fields[self.key(column)].widget.attrs.update(
                {"class": "form-select form-select-sm", "aria-label": column.header}
            )
        self.fields["save_as"].widget.attrs["class"] = "form-control"
        if not can_save:
            del self.fields["save_as"]

    @staticmethod
    def key(column: Column) -> str:
        return f"col_{column.index}"

    def clean(self):
        data = super().clean()
        used: dict[str, Column] = {}
        for column in self.columns:
            chosen = data.get(self.key(column)) or IGNORE
            if chosen and chosen != "seq":
                if chosen in used:
                    self.add_error(
                        self.key(column),
                        _("%(field)s is already the column “%(other)s”.")
                        % {"field": FIELD_LABELS[chosen], "other": used[chosen].header},
                    )
                used[chosen] = column
        if "name" not in used:
            raise forms.ValidationError(
                _("One column must be the project name (项目名称)."), code="no_name"
            )
        return data

    def overrides(self) -> dict[str, str | None]:
        """header → field (None: ignored), for every column."""
        return {
            column.header: (self.cleaned_data.get(self.key(column)) or None)
            for column in self.columns
        }

    def rows(self):
        for column in self.columns:
            yield column, self[self.key(column)]


class CommitForm(forms.Form):
    skip_invalid = forms.BooleanField(
        required=False,
        label=gettext_lazy("Skip invalid rows (import the valid rows, report the rest)"),
    )
    undecided_distinct = forms.BooleanField(
        required=False,
        label=gettext_lazy(
            "Import the possible duplicates nobody answered for as different investments"
        ),
    )
    undecided_reason = forms.CharField(
        required=False,
        max_length=300,
        label=gettext_lazy("Why they are different investments"),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("undecided_distinct") and not (data.get("undecided_reason") or "").strip():
            self.add_error(
                "undecided_reason",
                _(
                    "Give the reason why the rows without an answer are different investments "
                    "(e.g. the group invests in several districts)."
                ),
            )
        return data


class DecisionForm(forms.Form):
    """The answer for one row's duplicate warning, given on the preview page."""

    row = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(
        choices=[
            ("distinct", gettext_lazy("A different investment")),
            ("same", gettext_lazy("The same project")),
            ("clear", gettext_lazy("No answer yet")),
        ]
    )
    reason = forms.CharField(required=False, max_length=300)
    same_as = forms.IntegerField(required=False)


class FaiUploadForm(forms.Form):
    file = LedgerFileField(
        label=gettext_lazy("入库 list of the statistics bureau"),
        help_text=gettext_lazy("Columns 项目代码, 项目名称, 入库月份 (and 计划总投资)."),
    )

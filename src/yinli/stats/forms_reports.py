"""The form that publishes a period's report (city roles)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yinli.core.models import OrgKind, OrgUnit

from .models import Definition
from .periods import PeriodError, parse_period


class PublishForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=32,
        help_text=_("2025, 2025H1, 2025Q3, 2025-07, 2025-01..2025-08 or 2025-01-01..2025-06-30"),
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "2025H1"}),
    )
    district = forms.ModelChoiceField(
        label=_("Scope"),
        queryset=OrgUnit.objects.filter(kind=OrgKind.DISTRICT).order_by("sort_order", "pk"),
        required=False,
        empty_label=_("The whole city"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    definition = forms.ModelChoiceField(
        label=_("Definition version"),
        queryset=Definition.objects.order_by("-version"),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: a title is made from the scope and the period."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = Definition.objects.filter(is_current=True).first()
        if current is not None:
            self.fields["definition"].initial = current.pk

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"])
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from error

"""The form of a new definition version (统计口径): every parameter, starting from an existing one."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yinli.projects.models import Category
from yinli.web.fields import bootstrap

from .models import PARAMETER_FIELDS, Definition


class WordingField(forms.JSONField):
    """The bulletin's wording rules as indented JSON (Chinese shown as it is)."""

    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class SizeBandsField(forms.CharField):
    """Size bands typed as "1, 10, 30" (亿元), cleaned to a list of numbers."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        parts = [
            p for p in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p
        ]
        bands = []
        for part in parts:
            try:
                number = Decimal(part)
            except InvalidOperation:
                raise ValidationError(
                    _("%(value)s is not a number."), code="invalid", params={"value": part}
                ) from None
            if not number.is_finite():
                raise ValidationError(
                    _("%(value)s is not a number."), code="invalid", params={"value": part}
                )
            bands.append(int(number) if number == number.to_integral_value() else float(number))
        return bands


class DefinitionForm(forms.ModelForm):
    """Every parameter of a version; saving makes a new version (the old one never changes)."""

    categories = forms.MultipleChoiceField(
        label=_("categories counted"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    size_bands_yi = SizeBandsField(
        label=_("size bands (100 million yuan)"),
        help_text=_("Rising numbers of 100 million yuan separated by commas, e.g. 1, 10, 30."),
    )
    wording = WordingField(
        label=_("bulletin wording rules"),
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace small"}),
        help_text=_(
            "The words and sentences of the bulletin, as JSON. floored_shares: shares said as "
            "a whole percent with 超过; rounded_amounts: amounts said to whole 亿元 with 约; "
            "highlight_groups: the region groups the bulletin names."
        ),
    )
    make_current = forms.BooleanField(
        label=_("Make it the current version"), required=False, initial=True
    )

    class Meta:
        model = Definition
        fields = [*PARAMETER_FIELDS, "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "threshold_total_wan": _("In 10k yuan: 10000 is 1亿元."),
            "note": _("Why this version: what changed and on whose decision."),
        }

    def __init__(self, *args, based_on: Definition, **kwargs):
        initial = {field: getattr(based_on, field) for field in PARAMETER_FIELDS}
        for field in ("threshold_total_wan", "threshold_foreign"):  # 10000, not 10000.0000
            if initial[field] is not None:
                initial[field] = f"{Decimal(initial[field]).normalize():f}"
        initial.update(kwargs.pop("initial", None) or {})
        super().__init__(*args, initial=initial, **kwargs)
        self.based_on = based_on
        self.fields["threshold_foreign_currency"].widget.attrs.update(
            {"maxlength": 3, "style": "text-transform: uppercase"}
        )
        bootstrap(self)

    def clean_threshold_foreign_currency(self):
        return (self.cleaned_data.get("threshold_foreign_currency") or "").strip().upper()

    def changes(self) -> dict:
        """The parameters as cleaned, for definition_new_version."""
        return {field: self.cleaned_data[field] for field in PARAMETER_FIELDS}

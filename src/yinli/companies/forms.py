"""The company form: checked here, written by companies.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yinli.web.fields import AmountField, LenientDateField, RegionField, bootstrap

from .models import Company
from .selectors import find_company


class CompanyForm(forms.ModelForm):
    region = RegionField(
        label=_("Region"), help_text=_("A place as you would write it: 深圳, 上海浦东, 韩国首尔.")
    )
    parent_name = forms.CharField(
        label=_("Parent company"),
        required=False,
        max_length=200,
        help_text=_("The exact name or credit code of a company in the registry."),
    )
    registered_capital = AmountField(label=_("Registered capital"))
    established_on = LenientDateField(label=_("Established on"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Company
        fields = [
            "name",
            "uscc",
            "ownership",
            "address",
            "legal_representative",
            "registration_status",
            "industry_code",
            "insured_staff",
            "business_scope",
            "notes",
        ]
        widgets = {
            "business_scope": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = [
        "name",
        "uscc",
        "ownership",
        "region",
        "address",
        "parent_name",
        "legal_representative",
        "registered_capital",
        "established_on",
        "registration_status",
        "industry_code",
        "insured_staff",
        "business_scope",
        "notes",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        company = self.instance
        if company.pk:
            self.initial["version"] = company.version
            self.initial["region"] = self.fields["region"].remember(company.region)
            self.initial["parent_name"] = company.parent.name if company.parent_id else ""
            self.initial["registered_capital"] = company.registered_capital
        else:
            del self.fields["version"]
        bootstrap(self)

    # The service validates and saves; the loaded instance stays untouched until then.
    def _post_clean(self):
        pass

    def clean_parent_name(self):
        text = self.cleaned_data.get("parent_name", "")
        if not text.strip():
            return None
        parent = find_company(text)
        if parent is None:
            raise ValidationError(
                _('No single company in the registry is called "%(text)s".'),
                params={"text": text},
            )
        if self.instance.pk and parent.pk == self.instance.pk:
            raise ValidationError(_("A company cannot be its own parent."))
        return parent

    def service_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data = {name: cleaned[name] for name in self._meta.fields if name in cleaned}
        data["region"] = cleaned.get("region")
        data["parent"] = cleaned.get("parent_name")
        capital = cleaned.get("registered_capital")
        data["registered_capital"] = capital.value if capital is not None else None
        data["established_on"] = cleaned.get("established_on")
        data["uscc"] = (data.get("uscc") or "").strip().upper() or None
        return data

"""Forms of the followup pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yinli.core.models import OrgKind, OrgUnit
from yinli.projects.models import FundsSource
from yinli.web.fields import AmountField, LenientDateField, bootstrap

from .models import AlertRule, PermitItem, PermitStatus


class FundsForm(forms.Form):
    on = LenientDateField(label=_("Day the money arrived"))
    amount = AmountField(label=_("Amount (万元)"), required=True)
    source = forms.ChoiceField(label=_("Source"), choices=FundsSource.choices)
    foreign_amount = AmountField(
        label=_("Of which foreign capital actually used (万美元)"),
        currency="USD",
        default_unit="万美元",
        help_text=_("实际使用外资, counted in the month it arrived; only with the source 外资."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def service_data(self) -> dict:
        data = self.cleaned_data
        foreign = data.get("foreign_amount")
        return {
            "on": data["on"],
            "amount": data["amount"].value,
            "source": data["source"],
            "foreign_amount": foreign.value if foreign is not None else None,
            "note": data.get("note", ""),
        }

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is None:
            raise forms.ValidationError(_("Give the amount that arrived."))
        return amount


class RuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = [
            "name",
            "kind",
            "from_stage",
            "to_stage",
            "months",
            "funds_pct",
            "active",
            "description",
            "sort_order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class PermitForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    started_on = LenientDateField(label=_("Applied on"), required=False)
    due_on = LenientDateField(label=_("Planned for"), required=False)
    done_on = LenientDateField(label=_("Granted on"), required=False)

    class Meta:
        model = PermitItem
        fields = ["status", "department", "started_on", "due_on", "done_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["version"].initial = self.instance.version
        self.fields["status"].choices = PermitStatus.choices
        bootstrap(self)

    def _post_clean(self):
        # The service validates and saves; the form only reads the values.
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class AlertFilterForm(forms.Form):
    rule = forms.ModelChoiceField(
        label=_("Rule"),
        queryset=AlertRule.objects.none(),
        required=False,
        empty_label=_("All rules"),
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("All districts in your scope"),
    )
    as_of = LenientDateField(label=_("As of"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = AlertRule.objects.filter(active=True)
        self.fields["district"].queryset = (
            districts
            if districts is not None
            else OrgUnit.objects.filter(kind=OrgKind.DISTRICT, valid_to__isnull=True)
        )
        bootstrap(self)
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = str(field.label)
            if name in ("rule", "district"):
                field.widget.attrs["class"] += " form-select-sm"
            else:
                field.widget.attrs["class"] += " form-control-sm"

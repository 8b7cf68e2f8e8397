"""Forms of target lists and company relationships."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yinli.web.fields import bootstrap

from .models import RelationKind
from .scoping import teams_for_target_lists


class TargetListForm(forms.Form):
    name = forms.CharField(
        label=_("List name"),
        max_length=100,
        required=False,
        help_text=_("Left empty: the node's name and today's date."),
    )
    team = forms.ModelChoiceField(label=_("Assigned team"), queryset=None)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = teams_for_target_lists(user)
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda unit: unit.display_name
        if user.org_unit_id and teams.filter(pk=user.org_unit_id).exists():
            self.fields["team"].initial = user.org_unit_id
        bootstrap(self)


class LeadForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=None,
        required=False,
        help_text=_("Needed only when the team belongs to no district."),
    )

    def __init__(self, *args, user, **kwargs):
        from yinli.core.scoping import districts_for_entry

        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts_for_entry(user)
        self.fields["district"].label_from_instance = lambda unit: unit.display_name
        bootstrap(self)


class RelationshipForm(forms.Form):
    company = forms.CharField(
        label=_("Company A"),
        max_length=200,
        help_text=_("Its name or its unified social credit code."),
    )
    kind = forms.ChoiceField(label=_("is … of"), choices=RelationKind.choices)
    other = forms.CharField(
        label=_("Company B"),
        max_length=200,
        help_text=_("Its name or its unified social credit code."),
    )
    started_on = forms.DateField(
        label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ended_on = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class RelationshipImportForm(forms.Form):
    file = forms.FileField(
        label=_("Sheet"),
        help_text=_(
            "An .xlsx, .xls or .csv file with the columns 企业A, 企业B, 关系 (供应商, 客户, 股东 or "
            "合作伙伴: A is that of B), and optionally 开始日期, 结束日期, 备注."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

"""Forms of the referrals pages. They only read input; services.py checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yinli.core import scoping
from yinli.core.models import OrgUnit
from yinli.projects.models import Industry, Project
from yinli.web.fields import LenientDateField, bootstrap

from . import selectors
from .models import Decision, Feedback, Scorecard


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class ProfileForm(forms.Form):
    industries = forms.ModelMultipleChoiceField(
        label=_("Industry directions"),
        queryset=Industry.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    land_available_mu = forms.DecimalField(
        label=_("Land available (mu)"), required=False, max_digits=12, decimal_places=2
    )
    land_price_wan_per_mu = forms.DecimalField(
        label=_("Typical land price (10k yuan per mu)"),
        required=False,
        max_digits=10,
        decimal_places=2,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ReferralForm(forms.Form):
    lead = forms.ModelChoiceField(label=_("Lead"), queryset=None)
    districts = UnitsChoiceField(
        label=_("Refer to"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One or more districts; the suggestions below are ranked by fit."),
    )
    referred_on = LenientDateField(label=_("Referred on"), required=False)
    land_needed_mu = forms.DecimalField(
        label=_("Land the investor needs (mu)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("Leave empty to use the land recorded on the project."),
    )
    note = forms.CharField(
        label=_("Note to the districts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = selectors.referable_leads(user).order_by("-updated_at")
        self.fields["districts"].queryset = selectors.districts().order_by("sort_order", "code")
        bootstrap(self)


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FeedbackForm(forms.Form):
    feedback = forms.ChoiceField(
        label=_("Feedback"), choices=Feedback.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when declining."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class EvaluationStartForm(forms.Form):
    scorecard = forms.ModelChoiceField(
        label=_("Scorecard"), queryset=Scorecard.objects.filter(active=True), empty_label=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = selectors.default_scorecard()
        if default is not None:
            self.initial.setdefault("scorecard", default.pk)
        bootstrap(self)


class EvaluationLeadForm(forms.Form):
    """The lead a unit evaluates on its own (not from a referral): one the user sees."""

    lead = forms.ModelChoiceField(label=_("Lead"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = scoping.visible_projects(
            user, Project.objects.filter(stage__in=selectors.REFERABLE_STAGES)
        ).order_by("-updated_at")
        bootstrap(self)


class ScoreForm(forms.Form):
    """One number field per criterion of the evaluation's scorecard (the user's own scores)."""

    def __init__(self, *args, evaluation, mine: dict[int, object], **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in evaluation.scorecard.criteria.all():
            label = f"{criterion.name}（{criterion.unit}）" if criterion.unit else criterion.name
            self.fields[f"c{criterion.pk}"] = forms.CharField(
                label=label,
                required=False,
                help_text=criterion.help_text,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            if criterion.pk in mine:
                self.initial[f"c{criterion.pk}"] = f"{mine[criterion.pk].normalize():f}"
        bootstrap(self)

    def values(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items() if name[0] == "c"}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = LenientDateField(label=_("Date"))
    organiser = UnitChoiceField(label=_("Organiser"), queryset=None)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    chair = forms.CharField(label=_("Chair"), max_length=64, required=False)
    attendees = forms.CharField(
        label=_("Attendees"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = OrgUnit.objects.filter(
            valid_to__isnull=True, district__isnull=True
        )
        bootstrap(self)


class ReviewItemForm(forms.Form):
    lead = forms.ModelChoiceField(label=_("Lead"), queryset=None)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", "—"), *Decision.choices], required=False
    )
    decision_reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up_unit = UnitChoiceField(label=_("Follow-up unit"), queryset=None, required=False)
    follow_up_person = forms.CharField(label=_("Follow-up person"), max_length=64, required=False)
    follow_up_due = LenientDateField(label=_("Follow-up due"), required=False)
    follow_up_done_on = LenientDateField(label=_("Follow-up done on"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = scoping.visible_projects(
            user, Project.objects.filter(stage__in=selectors.REFERABLE_STAGES)
        ).order_by("-updated_at")
        self.fields["follow_up_unit"].queryset = OrgUnit.objects.filter(valid_to__isnull=True)
        bootstrap(self)

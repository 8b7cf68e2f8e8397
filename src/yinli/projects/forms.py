"""Project forms. They read and check what was typed; the services in services.py do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinli.companies.models import Company
from yinli.companies.services import company_create
from yinli.core import scoping
from yinli.web.fields import AmountField, LenientDateField, RegionField, bootstrap

from .filters import ProjectFilter
from .models import DuplicateDecision, EvidenceKind, Project, Ruling, Stage, Status, stage_rank

# The sections of the form and of the project's page, in order.
SECTIONS: list[tuple[str, Any, list[str]]] = [
    ("basic", _("Basic information"), ["name", "kind", "category", "industry", "tags", "notes"]),
    (
        "investor",
        _("Investor and source"),
        ["company_name", "signing_region", "controller_name", "controller_region"],
    ),
    (
        "money",
        _("Amounts"),
        [
            "total_investment",
            "foreign_investment",
            "land_mu",
            "expected_output",
            "expected_tax",
            "jobs",
        ],
    ),
    (
        "progress",
        _("Progress"),
        ["stage", "stage_on", "agreement", "channel", "introducer", "event"],
    ),
    ("statistics", _("Statistics (入库列统)"), ["fai_code", "fai_on"]),
    (
        "ownership",
        _("District and responsibility"),
        [
            "district",
            "responsible_unit",
            "responsible_person",
            "first_contact",
            "task_force",
            "linked_leader",
        ],
    ),
]


def _with(queryset, current):
    """A choice list that still offers the value the record already has."""
    if current is None:
        return queryset
    return queryset.model.objects.filter(
        pk__in=[*queryset.values_list("pk", flat=True), current.pk]
    )


class ProjectForm(forms.ModelForm):
    company = forms.ModelChoiceField(
        queryset=Company.objects.all(), required=False, widget=forms.HiddenInput
    )
    company_name = forms.CharField(
        label=_("Investor (signing entity)"),
        required=False,
        max_length=200,
        help_text=_("Search the company registry, or type the full name of a new company."),
    )
    signing_region = RegionField(
        label=_("Signing entity's location"),
        help_text=_("A place as you would write it: 深圳, 上海浦东, 韩国首尔."),
    )
    controller_region = RegionField(label=_("Actual controller's location"))
    total_investment = AmountField(
        label=_("Total investment"),
        help_text=_("In 万元 unless you write the unit: 3.5亿元, 12,000万."),
    )
    foreign_investment = AmountField(
        label=_("Agreed foreign investment"),
        currency=None,
        default_unit="万美元",
        help_text=_("In 万美元 unless you write the unit or currency: 1500万美元, 800万欧元."),
    )
    expected_output = AmountField(label=_("Expected annual output"))
    expected_tax = AmountField(label=_("Expected annual tax"))
    fai_on = LenientDateField(label=_("Accepted into statistics on (入库列统)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=Stage.choices,
        initial=Stage.LEAD,
        help_text=_("A project already signed (or further) may be entered at its stage."),
    )
    stage_on = LenientDateField(label=_("Stage reached on"), required=False)
    # The answer to a duplicate warning (撞车提示); shown only when there is one.
    duplicate_decision = forms.ChoiceField(
        label=_("This investor already has a project. This record is"),
        choices=[
            (DuplicateDecision.DISTINCT, _("a different investment (give the reason)")),
            (DuplicateDecision.SAME, _("the same project (the city will rule on it)")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    duplicate_reason = forms.CharField(
        label=_("Why it is a different investment, or a note for the city"),
        required=False,
        max_length=300,
    )
    duplicate_same_as = forms.IntegerField(
        label=_("The same project as"), required=False, widget=forms.Select
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "kind",
            "category",
            "industry",
            "tags",
            "notes",
            "controller_name",
            "land_mu",
            "jobs",
            "agreement",
            "channel",
            "introducer",
            "event",
            "fai_code",
            "district",
            "responsible_unit",
            "responsible_person",
            "first_contact",
            "task_force",
            "linked_leader",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "tags": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.new_company_name = ""
        project = self.instance
        creating = project.pk is None
        self.fields["district"].queryset = _with(
            scoping.districts_for_entry(user), None if creating else project.district
        )
        self.fields["responsible_unit"].queryset = _with(
            scoping.units_for_entry(user), None if creating else project.responsible_unit
        )
        self.fields["event"].queryset = self.fields["event"].queryset.order_by("-held_on")
        if creating:
            self.fields["stage_on"].initial = timezone.localdate()
            del self.fields["version"]
            districts = list(self.fields["district"].queryset[:2])
            if len(districts) == 1:
                self.initial.setdefault("district", districts[0].pk)
                if self.initial["district"] is None:
                    self.initial["district"] = districts[0].pk
        else:
            # Stage and status have their own actions on the project's page.
            del self.fields["stage"]
            del self.fields["stage_on"]
            self.initial["version"] = project.version
            self.initial["company_name"] = project.company.name if project.company_id else ""
            self.initial["company"] = project.company_id
            for name in ("signing_region", "controller_region"):
                self.initial[name] = self.fields[name].remember(getattr(project, name))
            self.fields["foreign_investment"].stored_currency = project.foreign_currency or "USD"
            for name in (
                "total_investment",
                "foreign_investment",
                "expected_output",
                "expected_tax",
            ):
                self.initial[name] = getattr(project, name)
        self.fields["company_name"].widget.attrs.update(
            {
                "autocomplete": "off",
                "placeholder": _("Company name"),
                "hx-get": reverse("companies:search"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#company-suggestions",
            }
        )
        bootstrap(self)

    DECISION_FIELDS = ("duplicate_decision", "duplicate_reason", "duplicate_same_as")

    def offer_decision(self, warnings) -> None:
        """Show the answer fields for these warnings (the page lists the warnings above)."""
        self.fields["duplicate_same_as"].widget.choices = [
            (w.project_id, w.message) for w in warnings if w.other_district
        ]

    def duplicate_answer(self):
        from .conflicts import DecisionInput

        cleaned = getattr(self, "cleaned_data", {})
        decision = cleaned.get("duplicate_decision") or ""
        if not decision:
            return None
        return DecisionInput(
            decision=decision,
            reason=cleaned.get("duplicate_reason") or "",
            same_as=cleaned.get("duplicate_same_as"),
        )

    # ModelForm would copy the cleaned values onto the instance and validate the model; the
    # services do both, so the instance stays as it was loaded (a stale save can show it).
    def _post_clean(self):
        pass

    @property
    def sections(self):
        for key, label, names in SECTIONS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                yield {"key": key, "label": label, "fields": fields}

    def clean_stage_on(self):
        day = self.cleaned_data.get("stage_on")
        if day and day > timezone.localdate():
            raise ValidationError(_("A stage cannot be reached in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        name = " ".join((cleaned.get("company_name") or "").split())
        picked = cleaned.get("company")
        cleaned["company"] = None
        if name:
            if picked is not None and picked.name == name:
                cleaned["company"] = picked
            else:
                same = list(Company.objects.filter(name=name)[:2])
                if len(same) == 1:
                    cleaned["company"] = same[0]
                elif len(same) > 1:
                    self.add_error(
                        "company_name",
                        _("Several companies have this name; pick one from the search results."),
                    )
                else:
                    self.new_company_name = name
        return cleaned

    def service_data(self) -> tuple[dict[str, Any], list]:
        """The values for project_create / project_update, and the tags.

        A new company is created here (call it inside the transaction of the project write).
        """
        cleaned = self.cleaned_data
        data: dict[str, Any] = {
            name: cleaned[name] for name in self._meta.fields if name != "tags" and name in cleaned
        }
        company = cleaned.get("company")
        if company is None and self.new_company_name:
            region = cleaned.get("signing_region")
            try:
                company = company_create(
                    data={"name": self.new_company_name, "region": region}, by=self.user
                )
            except ValidationError as error:
                raise ValidationError({"company_name": error.messages}) from error
        data["company"] = company
        data["signing_region"] = cleaned.get("signing_region")
        data["controller_region"] = cleaned.get("controller_region")
        for name in ("total_investment", "expected_output", "expected_tax"):
            amount = cleaned.get(name)
            data[name] = amount.value if amount is not None else None
        foreign = cleaned.get("foreign_investment")
        data["foreign_investment"] = foreign.value if foreign is not None else None
        if foreign is not None:
            data["foreign_currency"] = foreign.currency
        data["fai_on"] = cleaned.get("fai_on")
        return data, list(cleaned.get("tags") or [])


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    on = LenientDateField(label=_("Date reached"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        # Forward moves; a city administrator may also correct a stage backwards.
        if scoping.changes_everything(user):
            choices = [c for c in Stage.choices if c[0] != project.stage]
        else:
            rank = stage_rank(project.stage)
            choices = [c for c in Stage.choices if stage_rank(c[0]) > rank]
        self.fields["stage"].choices = choices
        next_stage = [c[0] for c in choices if stage_rank(c[0]) > stage_rank(project.stage)]
        if next_stage:
            self.fields["stage"].initial = next_stage[0]
        self.fields["on"].initial = timezone.localdate()
        self.initial["version"] = project.version
        bootstrap(self)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required unless the project is progressing."),
    )
    lost_to = RegionField(
        label=_("Lost to"), help_text=_("The city or country the project went to.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("status", project.status)
        self.initial.setdefault("reason", project.status_reason)
        self.initial.setdefault("version", project.version)
        if project.lost_to_id:
            self.initial.setdefault("lost_to", self.fields["lost_to"].remember(project.lost_to))
        bootstrap(self)


class PageProjectFilter(ProjectFilter):
    """The list's filters: the shared ProjectFilter, with the source region typed as text."""

    primary_filters = ("stage", "status", "district", "industry")
    # Filters reached by a link (a company's projects, a statistics figure's drill-down), not typed.
    linked_filters = ("channel", "event", "company", "stat")
    # A figure's drill-down needs these along with `stat`; the form carries them unchanged.
    carried_params = ("period", "definition", "by", "key")

    @property
    def more_active(self) -> bool:
        shown = {"q", *self.primary_filters, *self.linked_filters}
        return any(self.data.get(name) for name in self.filters if name not in shown)

    @property
    def carried(self) -> list[tuple[str, str]]:
        return [(name, self.data[name]) for name in self.carried_params if self.data.get(name)]

    def filter_source(self, queryset, name, value):
        from .filters import source_q

        text = value.strip()
        if not text:
            return queryset
        try:
            from yinli.web.fields import resolve_region_text

            region = resolve_region_text(text)
        except ValidationError as error:
            self.source_error = " ".join(error.messages)
            return queryset.none()
        return queryset.filter(source_q(region))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_error = ""
        self.filters["source"].label = _("Source region")
        form = self.form
        for name in ("stage", "status", "district", "industry"):
            form.fields[name].widget.attrs["size"] = 4
        for name in ("signed_from", "signed_to"):
            form.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        form.fields["q"].widget.attrs["placeholder"] = _("Name, investor, pinyin initials, code")
        form.fields["source"].widget.attrs["placeholder"] = _("e.g. 深圳, 上海浦东, 韩国")
        for hidden in self.linked_filters:
            if hidden in form.fields:
                form.fields[hidden].widget = forms.HiddenInput()
        bootstrap(form)


# --- 首报首谈, 撞车 and merge ------------------------------------------------------------------


class ClaimForm(forms.Form):
    claimed_on = LenientDateField(label=_("Date"))
    evidence_kind = forms.ChoiceField(label=_("Kind of evidence"), choices=EvidenceKind.choices)
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=500,
        help_text=_("Who met whom, when and where; or what the document says."),
    )
    document_ref = forms.CharField(label=_("Document reference"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claimed_on"].initial = timezone.localdate()
        self.fields["evidence_kind"].initial = EvidenceKind.VISIT
        bootstrap(self)


class ConflictRuleForm(forms.Form):
    ruling = forms.ChoiceField(label=_("Ruling"), choices=Ruling.choices, widget=forms.RadioSelect)
    ruling_side = forms.ChoiceField(
        label=_("Side named by the ruling"),
        required=False,
        help_text=_(
            "Keep: the side that keeps the project. Transfer: the district it moves to. "
            "Joint: the lead district."
        ),
    )
    lead_share = forms.DecimalField(
        label=_("Lead district's share (%)"), required=False, max_digits=5, decimal_places=2
    )
    other_share = forms.DecimalField(
        label=_("Other district's share (%)"), required=False, max_digits=5, decimal_places=2
    )
    ruling_reason = forms.CharField(
        label=_("Reason for the ruling"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, conflict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ruling_side"].choices = [
            ("", "—"),
            ("a", conflict.district_a.display_name),
            ("b", conflict.district_b.display_name),
        ]
        bootstrap(self)


class ConflictOpenForm(forms.Form):
    project_a = forms.IntegerField(
        label=_("First project (id)"), help_text=_("The record reported first.")
    )
    project_b = forms.IntegerField(label=_("Second project (id)"))
    note = forms.CharField(label=_("Why"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class MergeForm(forms.Form):
    target = forms.IntegerField(label=_("Merge into (id)"))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, target_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if target_label:
            self.fields["target"].label = target_label
        bootstrap(self)

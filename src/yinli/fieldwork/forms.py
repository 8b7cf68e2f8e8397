"""Field-work forms: they read what was typed; yinli.fieldwork.services does the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinli.companies.models import Company
from yinli.core import scoping
from yinli.core.models import OrgUnit, User
from yinli.web.fields import LenientDateField, RegionField, bootstrap

from .models import ChannelAttribution, Event, Outcome, Programme, Trip, TripStop, Visit
from .services import VISIT_FIELDS, parse_stop_lines


def _company_widget(field: forms.Field) -> None:
    field.widget.attrs.update(
        {
            "autocomplete": "off",
            "placeholder": _("Company name"),
            "hx-get": reverse("companies:search"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#company-suggestions",
        }
    )


def _entry_units(user, current: OrgUnit | None = None):
    units = scoping.units_for_entry(user)
    if current is not None:
        units = OrgUnit.objects.filter(pk__in=[*units.values_list("pk", flat=True), current.pk])
    return units.order_by("sort_order", "code")


class CompanyPickMixin:
    """A company from the registry (picked from the suggestions, or an exact name) or a new name."""

    def clean_company_fields(self, cleaned: dict[str, Any]) -> None:
        name = " ".join((cleaned.get("company_name") or "").split())
        picked = cleaned.get("company")
        cleaned["company"] = None
        if not name:
            return
        if picked is not None and picked.name == name:
            cleaned["company"] = picked
            cleaned["company_name"] = ""
            return
        same = list(Company.objects.filter(name=name)[:2])
        if len(same) == 1:
            cleaned["company"] = same[0]
            cleaned["company_name"] = ""
        elif len(same) > 1:
            self.add_error(
                "company_name",
                _("Several companies have this name; pick one from the search results."),
            )
        else:
            cleaned["company_name"] = name


class VisitForm(CompanyPickMixin, forms.ModelForm):
    company = forms.ModelChoiceField(
        queryset=Company.objects.all(), required=False, widget=forms.HiddenInput
    )
    company_name = forms.CharField(
        label=_("Company visited"),
        max_length=200,
        help_text=_("Search the company registry, or type the full name of a new company."),
    )
    visited_on = LenientDateField(label=_("Date"))
    place = RegionField(
        label=_("Place"), help_text=_("A city or district, or a foreign city: 深圳南山, 韩国首尔.")
    )
    next_step_on = LenientDateField(label=_("Next step by"), required=False)
    people = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=User.objects.none(), required=False
    )
    stop = forms.ModelChoiceField(
        queryset=TripStop.objects.none(), required=False, widget=forms.HiddenInput
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Visit
        fields = [
            "unit",
            "other_people",
            "purpose",
            "learned",
            "outcome",
            "next_step",
            "project",
        ]
        widgets = {"learned": forms.Textarea(attrs={"rows": 3})}

    # The fields shown on the phone's quick entry, in order.
    QUICK = [
        "company_name",
        "company",
        "outcome",
        "place",
        "purpose",
        "next_step",
        "next_step_on",
        "stop",
    ]

    def __init__(self, *args, user, quick: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        visit = self.instance
        creating = visit.pk is None
        self.fields["unit"].queryset = _entry_units(user, None if creating else visit.unit)
        self.fields["unit"].empty_label = None
        members = User.objects.filter(is_active=True, org_unit__in=self.fields["unit"].queryset)
        self.fields["people"].queryset = members.order_by("username")
        self.fields["project"].queryset = scoping.visible_projects(user).order_by("-id")
        self.fields["project"].required = False
        self.fields["outcome"].widget = forms.RadioSelect(choices=Outcome.choices)
        self.fields["stop"].queryset = TripStop.objects.filter(
            trip__in=scoping.changeable_trips(user)
        ).select_related("trip", "place")
        if creating:
            stop = self.fields["stop"].queryset.filter(pk=self.initial.get("stop") or None).first()
            if stop is not None:
                # "Log a visit here" from a trip's stop: its unit, day and place.
                self.initial.update(
                    {
                        "unit": stop.trip.unit_id,
                        "visited_on": stop.arrive_on or stop.trip.start_on,
                        "place": self.fields["place"].remember(stop.place),
                    }
                )
            self.initial.setdefault("visited_on", timezone.localdate())
            if (
                user.org_unit_id
                and self.fields["unit"].queryset.filter(pk=user.org_unit_id).exists()
            ):
                self.initial.setdefault("unit", user.org_unit_id)
            self.initial.setdefault(
                "people", [user.pk] if members.filter(pk=user.pk).exists() else []
            )
            del self.fields["version"]
        else:
            self.initial["version"] = visit.version
            self.initial["company"] = visit.company_id
            self.initial["company_name"] = visit.visited_name
            self.initial["place"] = self.fields["place"].remember(visit.place)
            self.initial["people"] = list(visit.people.values_list("pk", flat=True))
            self.initial["stop"] = visit.stop_id
        if quick:
            # A phone: the few fields that matter now; the rest on the full form later.
            self.initial.setdefault("outcome", Outcome.FOLLOW_UP)
            for name in list(self.fields):
                if name not in {*self.QUICK, "unit", "visited_on"}:
                    del self.fields[name]
            self.fields["purpose"].widget.attrs["placeholder"] = _("Purpose of the visit")
        else:
            # The project list is long: the field takes an id typed or picked on the visit page.
            self.fields["project"].widget = forms.NumberInput()
            self.fields["project"].help_text = _("The project's number, if the visit is about one.")
        _company_widget(self.fields["company_name"])
        bootstrap(self)

    def _post_clean(self):
        pass

    def clean(self):
        cleaned = super().clean()
        self.clean_company_fields(cleaned)
        return cleaned

    def service_data(self) -> tuple[dict[str, Any], list]:
        cleaned = self.cleaned_data
        data = {name: value for name, value in cleaned.items() if name in VISIT_FIELDS}
        return data, list(cleaned.get("people") or [])


class LeadForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=200, required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=OrgUnit.objects.none())

    def __init__(self, *args, user, visit: Visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = scoping.districts_for_entry(user)
        if visit.unit.district_id:
            self.initial.setdefault("district", visit.unit.district_id)
        self.initial.setdefault("name", _("%(company)s project") % {"company": visit.visited_name})
        bootstrap(self)


class TripForm(forms.ModelForm):
    start_on = LenientDateField(label=_("Start date"))
    end_on = LenientDateField(label=_("End date"))
    stops_text = forms.CharField(
        label=_("Stops"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One stop a line, in order: place, then the arrival date and the km of the leg "
            "(both optional), e.g. “深圳南山区 2025-06-03 1250”."
        ),
    )
    people = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=User.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Trip
        fields = ["unit", "title", "other_people", "reported_km", "return_km", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        trip = self.instance
        creating = trip.pk is None
        self.fields["unit"].queryset = _entry_units(user, None if creating else trip.unit)
        self.fields["unit"].empty_label = None
        members = User.objects.filter(is_active=True, org_unit__in=self.fields["unit"].queryset)
        self.fields["people"].queryset = members.order_by("username")
        self.fields["reported_km"].help_text = _(
            "The whole trip's distance, if it was reported as one figure."
        )
        if creating:
            del self.fields["version"]
            if (
                user.org_unit_id
                and self.fields["unit"].queryset.filter(pk=user.org_unit_id).exists()
            ):
                self.initial.setdefault("unit", user.org_unit_id)
        else:
            self.initial["version"] = trip.version
            self.initial["start_on"] = trip.start_on
            self.initial["end_on"] = trip.end_on
            self.initial["people"] = list(trip.people.values_list("pk", flat=True))
            self.initial["stops_text"] = "\n".join(
                " ".join(
                    str(part)
                    for part in (stop.place.full_name, stop.arrive_on or "", stop.leg_km or "")
                    if part != ""
                )
                for stop in trip.stops.select_related("place__city__province", "place__parent")
            )
        bootstrap(self)

    def _post_clean(self):
        pass

    def clean_stops_text(self):
        try:
            return parse_stop_lines(self.cleaned_data.get("stops_text") or "")
        except ValidationError as error:
            messages = error.message_dict.get("stops") if hasattr(error, "error_dict") else None
            raise ValidationError(messages or error.messages) from error

    def service_data(self):
        cleaned = self.cleaned_data
        data = {
            name: cleaned.get(name)
            for name in (
                "unit",
                "title",
                "start_on",
                "end_on",
                "other_people",
                "reported_km",
                "return_km",
                "notes",
            )
        }
        return data, cleaned.get("stops_text") or [], list(cleaned.get("people") or [])


class EventForm(forms.ModelForm):
    held_on = LenientDateField(label=_("Date"))
    ends_on = LenientDateField(label=_("End date"), required=False)
    place = RegionField(label=_("Place"), help_text=_("镇江, 上海, 德国慕尼黑 …"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Event
        fields = ["name", "kind", "organiser", "programme", "leaders", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.instance
        creating = event.pk is None
        self.fields["organiser"].queryset = _entry_units(
            user, None if creating else event.organiser
        )
        self.fields["programme"].queryset = Programme.objects.all()
        if creating:
            del self.fields["version"]
        else:
            self.initial["version"] = event.version
            self.initial["held_on"] = event.held_on
            self.initial["ends_on"] = event.ends_on
            self.initial["place"] = self.fields["place"].remember(event.place)
        bootstrap(self)

    def _post_clean(self):
        pass

    def service_data(self):
        cleaned = self.cleaned_data
        return {
            name: cleaned.get(name)
            for name in (
                "name",
                "kind",
                "held_on",
                "ends_on",
                "place",
                "organiser",
                "programme",
                "leaders",
                "notes",
            )
        }


class AttributionForm(forms.ModelForm):
    # Named like the project form's so that the shared suggestion box fills it.
    company = forms.ModelChoiceField(
        queryset=Company.objects.all(), required=False, widget=forms.HiddenInput
    )
    company_name = forms.CharField(
        label=_("Introducing local company"),
        required=False,
        max_length=200,
        help_text=_("For 以商引商: the local company that introduced the investor."),
    )
    agreement_on = LenientDateField(label=_("Agreement signed on"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ChannelAttribution
        fields = ["agent", "agreement", "station", "notes"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        attribution = self.instance
        self.fields["station"].queryset = OrgUnit.objects.filter(kind__in=["office", "team"])
        if attribution.pk:
            self.initial["version"] = attribution.version
            self.initial["agreement_on"] = attribution.agreement_on
            if attribution.introducer_company_id:
                self.initial["company_name"] = attribution.introducer_company.name
                self.initial["company"] = attribution.introducer_company_id
        _company_widget(self.fields["company_name"])
        bootstrap(self)

    def _post_clean(self):
        pass

    def clean(self):
        cleaned = super().clean()
        name = " ".join((cleaned.get("company_name") or "").split())
        picked = cleaned.pop("company", None)
        cleaned["introducer_company"] = None
        if name:
            if picked is not None and picked.name == name:
                cleaned["introducer_company"] = picked
            else:
                same = list(Company.objects.filter(name=name)[:2])
                if len(same) == 1:
                    cleaned["introducer_company"] = same[0]
                else:
                    self.add_error(
                        "company_name",
                        _("Pick the introducing company from the registry (search by name)."),
                    )
        return cleaned

    def service_data(self):
        cleaned = self.cleaned_data
        return {
            name: cleaned.get(name)
            for name in (
                "introducer_company",
                "agent",
                "agreement",
                "agreement_on",
                "station",
                "notes",
            )
        }


class PeriodUnitForm(forms.Form):
    """A unit and a period (summary) — every field optional, defaults filled by the view."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False)
    start = LenientDateField(label=_("From"), required=False)
    end = LenientDateField(label=_("To"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoping.visible_fieldwork_units(user).order_by(
            "sort_order", "code"
        )
        bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error(
                "end",
                _("The end (%(end)s) is before the start (%(start)s).")
                % {"end": end, "start": start},
            )
        return cleaned


__all__ = [
    "AttributionForm",
    "EventForm",
    "LeadForm",
    "PeriodUnitForm",
    "TripForm",
    "TripStop",
    "VisitForm",
]

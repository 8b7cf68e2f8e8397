"""Writes of field work: visits, trips with their stops, events, channel attribution.

Views, API, CLI and the demo's tests call these; each checks the scope (yinli.core.scoping),
validates with clear Chinese messages and writes through save_tracked (version check).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.models import OrgUnit, Region
from yinli.core.parsing import parse_optional_date
from yinli.core.services import PermissionDeniedError, save_tracked, soft_delete

from .models import ChannelAttribution, Event, EventKind, Outcome, Trip, TripStop, Visit

VISIT_FIELDS = {
    "visited_on",
    "unit",
    "other_people",
    "company",
    "company_name",
    "place",
    "purpose",
    "learned",
    "outcome",
    "next_step",
    "next_step_on",
    "next_step_done",
    "project",
    "stop",
}
TRIP_FIELDS = {
    "unit",
    "title",
    "start_on",
    "end_on",
    "other_people",
    "reported_km",
    "return_km",
    "notes",
}
EVENT_FIELDS = {
    "name",
    "kind",
    "held_on",
    "ends_on",
    "place",
    "organiser",
    "programme",
    "leaders",
    "notes",
}
ATTRIBUTION_FIELDS = {
    "introducer_company",
    "agent",
    "agreement",
    "agreement_on",
    "station",
    "notes",
}


def _unknown(data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )


def _check_unit(*, user, unit: OrgUnit | None) -> None:
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit that did the field work.")})
    if not scoping.units_for_entry(user).filter(pk=unit.pk).exists():
        raise PermissionDeniedError(
            _("You may not record field work for %(unit)s.") % {"unit": unit}
        )


# --- Visits -------------------------------------------------------------------------------


def _validate_visit(visit: Visit, *, by) -> None:
    visit.company_name = " ".join((visit.company_name or "").split())
    if visit.company_id is None and not visit.company_name:
        raise ValidationError({"company_name": _("Name the company that was visited.")})
    if visit.company_id is not None:
        visit.company_name = ""
    if visit.visited_on is None:
        raise ValidationError({"visited_on": _("Give the date of the visit.")})
    if visit.visited_on > timezone.localdate():
        raise ValidationError(
            {
                "visited_on": _("A visit cannot be in the future (%(on)s).")
                % {"on": visit.visited_on}
            }
        )
    if visit.outcome not in Outcome.values:
        raise ValidationError(
            {"outcome": _("Choose the outcome: new lead, follow-up or no interest.")}
        )
    visit.next_step = " ".join((visit.next_step or "").split())
    if visit.next_step_on and not visit.next_step:
        raise ValidationError({"next_step": _("Say what the next step is, not only its date.")})
    if visit.next_step_on and visit.next_step_on < visit.visited_on:
        raise ValidationError(
            {
                "next_step_on": _("The next step (%(next)s) cannot come before the visit (%(on)s).")
                % {"next": visit.next_step_on, "on": visit.visited_on}
            }
        )
    if visit.project_id and not scoping.can_see_project(by, visit.project):
        raise PermissionDeniedError(_("You may not link this project."))
    if visit.stop_id:
        trip = visit.stop.trip
        if not scoping.changeable_trips(by, Trip.objects.filter(pk=trip.pk)).exists():
            raise PermissionDeniedError(_("You may not add visits to this trip."))
        if not trip.start_on <= visit.visited_on <= trip.end_on:
            raise ValidationError(
                {
                    "stop": _(
                        "The visit (%(on)s) is outside the trip's dates (%(start)s to %(end)s)."
                    )
                    % {"on": visit.visited_on, "start": trip.start_on, "end": trip.end_on}
                }
            )
    visit.full_clean(exclude=["people", "created_by"])


@transaction.atomic
def visit_create(*, data: dict[str, Any], by, people=None) -> Visit:
    _unknown(data, VISIT_FIELDS)
    visit = Visit(**data)
    _check_unit(user=by, unit=visit.unit)
    _validate_visit(visit, by=by)
    save_tracked(instance=visit, by=by)
    if people:
        visit.people.set(people)
    return visit


@transaction.atomic
def visit_update(*, visit: Visit, data: dict[str, Any], version: int, by, people=None) -> Visit:
    if not scoping.changeable_visits(by, Visit.objects.filter(pk=visit.pk)).exists():
        raise PermissionDeniedError()
    _unknown(data, VISIT_FIELDS)
    if "unit" in data and data["unit"] != visit.unit:
        _check_unit(user=by, unit=data["unit"])
    for name, value in data.items():
        setattr(visit, name, value)
    _validate_visit(visit, by=by)
    save_tracked(instance=visit, by=by, expected_version=version)
    if people is not None:
        visit.people.set(people)
    return visit


def visit_set_next_step_done(*, visit: Visit, by, version: int, done: bool = True) -> Visit:
    if not scoping.changeable_visits(by, Visit.objects.filter(pk=visit.pk)).exists():
        raise PermissionDeniedError()
    visit.next_step_done = done
    return save_tracked(instance=visit, by=by, expected_version=version)


def visit_delete(*, visit: Visit, by, version: int) -> Visit:
    if not scoping.changeable_visits(by, Visit.objects.filter(pk=visit.pk)).exists():
        raise PermissionDeniedError()
    return soft_delete(instance=visit, by=by, expected_version=version)


@transaction.atomic
def visit_create_lead(
    *,
    visit: Visit,
    by,
    version: int,
    name: str = "",
    district: OrgUnit | None = None,
    industry=None,
):
    """A lead (线索) from a visit in one step: the visited company (added to the registry when it
    was a new name), the visit's unit as responsible, its people as first contact; the visit then
    points at the project and its outcome is 新线索."""
    from yinli.companies.services import company_create
    from yinli.projects.models import Stage
    from yinli.projects.services import project_create

    if not scoping.changeable_visits(by, Visit.objects.filter(pk=visit.pk)).exists():
        raise PermissionDeniedError()
    if visit.project_id:
        raise ValidationError(
            _("This visit is already linked to the project “%(name)s”.")
            % {"name": visit.project.name},
            code="linked",
        )
    district = district or (visit.unit.district if visit.unit.district_id else None)
    if district is None:
        raise ValidationError({"district": _("Choose the district the lead would land in.")})
    company = visit.company
    if company is None:
        try:
            company = company_create(
                data={"name": visit.company_name, "region": visit.place}, by=by
            )
        except ValidationError as error:
            raise ValidationError({"company_name": error.messages}) from error
    people = visit.people_names
    data = {
        "name": " ".join((name or "").split())
        or _("%(company)s project") % {"company": company.name},
        "company": company,
        "signing_region": company.region or visit.place,
        "district": district,
        "responsible_unit": visit.unit if visit.unit.district_id == district.pk else None,
        "first_contact": "、".join(people)[:64],
        "industry": industry,
        "notes": _("From the visit of %(on)s: %(purpose)s")
        % {"on": visit.visited_on.isoformat(), "purpose": visit.purpose or visit.learned[:100]},
    }
    if data["responsible_unit"] is None:
        del data["responsible_unit"]
    project = project_create(data=data, by=by, stage=Stage.LEAD, stage_on=visit.visited_on)
    visit.project = project
    visit.company = company
    visit.company_name = ""
    visit.outcome = Outcome.NEW_LEAD
    save_tracked(instance=visit, by=by, expected_version=version)
    return project


# --- Trips --------------------------------------------------------------------------------


def _decimal_km(value, *, where: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").replace("公里", "").replace("km", "").strip())
    except InvalidOperation:
        raise ValidationError(
            _('%(where)s: "%(value)s" is not a distance in km.') % {"where": where, "value": value}
        ) from None
    if number < 0:
        raise ValidationError(
            _("%(where)s: a distance cannot be negative (%(value)s).")
            % {"where": where, "value": value}
        )
    return number.quantize(Decimal("0.1"))


def parse_stop_lines(text: str) -> list[dict[str, Any]]:
    """Stops typed one a line: "place [date] [km] [note]" — 深圳南山区 2025-06-03 1250.

    The place is read by the region lookup; the date (optional) is the arrival; a number is the
    reported distance of the leg that ends there. Every error names its line.
    """
    from yinli.web.fields import resolve_region_text

    stops: list[dict[str, Any]] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.replace("，", " ").replace(",", " ").replace("\t", " ").strip()
        if not line:
            continue
        parts = line.split()
        where = _("Line %(n)s") % {"n": number}
        try:
            place = resolve_region_text(parts[0])
        except ValidationError as error:
            errors.append(f"{where}: {' '.join(error.messages)}")
            continue
        stop: dict[str, Any] = {"place": place, "arrive_on": None, "leg_km": None, "note": ""}
        notes = []
        for part in parts[1:]:
            if stop["arrive_on"] is None and ("-" in part or "/" in part or "年" in part):
                try:
                    stop["arrive_on"] = parse_optional_date(part, allow_month=False).date
                    continue
                except (ValidationError, ValueError):
                    errors.append(
                        _('%(where)s: "%(value)s" is not a date.') % {"where": where, "value": part}
                    )
                    break
            if (
                stop["leg_km"] is None
                and part.replace(".", "", 1).replace("公里", "").replace("km", "").isdigit()
            ):
                stop["leg_km"] = _decimal_km(part, where=where)
                continue
            notes.append(part)
        stop["note"] = " ".join(notes)[:200]
        stops.append(stop)
    if errors:
        raise ValidationError({"stops": errors})
    return stops


def _validate_trip(trip: Trip, stops: list[dict[str, Any]]) -> None:
    if trip.start_on is None or trip.end_on is None:
        raise ValidationError({"start_on": _("Give the first and the last day of the trip.")})
    if trip.end_on < trip.start_on:
        raise ValidationError(
            {
                "end_on": _("The trip ends (%(end)s) before it starts (%(start)s).")
                % {"end": trip.end_on, "start": trip.start_on}
            }
        )
    if not stops:
        raise ValidationError({"stops": _("Name at least one stop of the trip.")})
    for number, stop in enumerate(stops, start=1):
        day = stop.get("arrive_on")
        if day is not None and not trip.start_on <= day <= trip.end_on:
            raise ValidationError(
                {
                    "stops": _(
                        "Stop %(n)s (%(place)s): %(on)s is outside the trip (%(start)s to %(end)s)."
                    )
                    % {
                        "n": number,
                        "place": stop["place"],
                        "on": day,
                        "start": trip.start_on,
                        "end": trip.end_on,
                    }
                }
            )
    for name in ("reported_km", "return_km"):
        value = getattr(trip, name)
        if value is not None and value < 0:
            raise ValidationError({name: _("A distance cannot be negative.")})
    trip.full_clean(exclude=["people", "created_by"])


def _write_stops(trip: Trip, stops: list[dict[str, Any]]) -> None:
    kept = {stop.order: stop for stop in trip.stops.all()}
    for order, spec in enumerate(stops, start=1):
        stop = kept.pop(order, None) or TripStop(trip=trip, order=order)
        stop.place = spec["place"]
        stop.arrive_on = spec.get("arrive_on")
        stop.leg_km = spec.get("leg_km")
        stop.note = spec.get("note", "")
        stop.save()
    # Stops past the new end go; their visits stay, unlinked.
    TripStop.objects.filter(pk__in=[stop.pk for stop in kept.values()]).delete()


def _reported_total(trip: Trip) -> Decimal | None:
    if trip.reported_km is not None:
        return trip.reported_km
    legs = trip.stops.aggregate(total=Sum("leg_km"))["total"]
    if legs is None and trip.return_km is None:
        return None
    return (legs or Decimal(0)) + (trip.return_km or Decimal(0))


@transaction.atomic
def trip_create(*, data: dict[str, Any], stops: list[dict[str, Any]], by, people=None) -> Trip:
    _unknown(data, TRIP_FIELDS)
    trip = Trip(**data)
    _check_unit(user=by, unit=trip.unit)
    _validate_trip(trip, stops)
    save_tracked(instance=trip, by=by)
    _write_stops(trip, stops)
    trip.reported_total_km = _reported_total(trip)
    Trip.objects.filter(pk=trip.pk).update(reported_total_km=trip.reported_total_km)
    if people:
        trip.people.set(people)
    return trip


@transaction.atomic
def trip_update(
    *, trip: Trip, data: dict[str, Any], version: int, by, stops=None, people=None
) -> Trip:
    if not scoping.changeable_trips(by, Trip.objects.filter(pk=trip.pk)).exists():
        raise PermissionDeniedError()
    _unknown(data, TRIP_FIELDS)
    if "unit" in data and data["unit"] != trip.unit:
        _check_unit(user=by, unit=data["unit"])
    for name, value in data.items():
        setattr(trip, name, value)
    if stops is None:
        stops = [
            {"place": s.place, "arrive_on": s.arrive_on, "leg_km": s.leg_km, "note": s.note}
            for s in trip.stops.select_related("place")
        ]
    _validate_trip(trip, stops)
    _write_stops(trip, stops)
    trip.reported_total_km = _reported_total(trip)
    save_tracked(instance=trip, by=by, expected_version=version)
    if people is not None:
        trip.people.set(people)
    return trip


def trip_delete(*, trip: Trip, by, version: int) -> Trip:
    if not scoping.changeable_trips(by, Trip.objects.filter(pk=trip.pk)).exists():
        raise PermissionDeniedError()
    return soft_delete(instance=trip, by=by, expected_version=version)


# --- Events -------------------------------------------------------------------------------


def _validate_event(event: Event) -> None:
    event.name = " ".join((event.name or "").split())
    if not event.name:
        raise ValidationError({"name": _("Give the event's name.")})
    if event.kind not in EventKind.values:
        raise ValidationError({"kind": _("Choose the kind of event.")})
    if event.held_on is None:
        raise ValidationError({"held_on": _("Give the date of the event.")})
    if event.ends_on and event.ends_on < event.held_on:
        raise ValidationError(
            {
                "ends_on": _("The event ends (%(end)s) before it starts (%(start)s).")
                % {"end": event.ends_on, "start": event.held_on}
            }
        )
    event.full_clean(exclude=["created_by"])


@transaction.atomic
def event_create(*, data: dict[str, Any], by) -> Event:
    _unknown(data, EVENT_FIELDS)
    event = Event(**data)
    if event.organiser_id is None and not scoping.changes_everything(by):
        raise ValidationError({"organiser": _("Choose the organiser of the event.")})
    if event.organiser_id is not None:
        _check_unit(user=by, unit=event.organiser)
    _validate_event(event)
    return save_tracked(instance=event, by=by)


@transaction.atomic
def event_update(*, event: Event, data: dict[str, Any], version: int, by) -> Event:
    if not scoping.changeable_events(by, Event.objects.filter(pk=event.pk)).exists():
        raise PermissionDeniedError()
    _unknown(data, EVENT_FIELDS)
    if "organiser" in data and data["organiser"] != event.organiser:
        _check_unit(user=by, unit=data["organiser"])
    for name, value in data.items():
        setattr(event, name, value)
    _validate_event(event)
    return save_tracked(instance=event, by=by, expected_version=version)


# --- Channel attribution ------------------------------------------------------------------


def attribution_requirements(project, attribution: ChannelAttribution) -> list[str]:
    """What the project's channel still needs of its attribution (empty when complete)."""
    code = project.channel.code if project.channel_id else ""
    missing = []
    if code == "business" and attribution.introducer_company_id is None:
        missing.append(_("the local company that introduced the investor"))
    if code in ("commissioned", "agency"):
        if not attribution.agent:
            missing.append(_("the agent"))
        if not attribution.agreement:
            missing.append(_("the agency agreement"))
    if code == "event" and project.event_id is None:
        missing.append(_("the event (on the project)"))
    return missing


@transaction.atomic
def attribution_set(
    *, project, data: dict[str, Any], by, version: int | None = None
) -> ChannelAttribution:
    """Create or change the attribution of a project; the project's channel decides what it
    must name (以商引商 the introducing company, 委托/中介招商 the agent and the agreement)."""
    if not scoping.can_change_project(by, project):
        raise PermissionDeniedError()
    _unknown(data, ATTRIBUTION_FIELDS)
    attribution = ChannelAttribution.all_objects.filter(project=project).first()
    if attribution is None:
        attribution = ChannelAttribution(project=project)
    elif version is None:
        raise ValidationError(_("Give the version of the attribution you changed."), code="stale")
    for name, value in data.items():
        setattr(attribution, name, value.strip() if isinstance(value, str) else value)
    missing = attribution_requirements(project, attribution)
    if missing:
        raise ValidationError(
            _("The channel %(channel)s needs %(what)s.")
            % {"channel": project.channel, "what": "、".join(missing)},
            code="incomplete",
        )
    attribution.deleted_at = None
    attribution.full_clean(exclude=["created_by", "project"])
    return save_tracked(
        instance=attribution, by=by, expected_version=version if attribution.pk else None
    )


def region_or_none(text: str | None) -> Region | None:
    """A place from text, or None for empty text (raises ValidationError when not found)."""
    from yinli.web.fields import resolve_region_text

    text = (text or "").strip()
    return resolve_region_text(text) if text else None


def parse_day(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    parsed = parse_optional_date(str(value), allow_month=False)
    return parsed.date if parsed else None

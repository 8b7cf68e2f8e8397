"""Field work: visits, trips, events, the summary of a unit, channel figures and rankings.

Reads go through yinli.core.scoping (a visit or trip outside the user's scope is 404); writes
through yinli.fieldwork.services (403 outside the scope, 409 on a stale version, 422 with the
field's message on bad input).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from yinli.companies.models import Company
from yinli.core import scoping
from yinli.core.models import OrgUnit, User
from yinli.fieldwork import selectors, services
from yinli.fieldwork.distance import trip_estimate
from yinli.fieldwork.models import Event, EventKind, Outcome, Trip, Visit

from .lookups import Resolver
from .schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    CompanyRef,
    IdOrCode,
    NamedRef,
    Number,
    Page,
    PageQuery,
    RegionRef,
    UnitRef,
    ValidationErrorOut,
    WriteSchema,
    paginate,
    region_ref,
    unit_ref,
)

router = Router(tags=["fieldwork"])

OutcomeCode = Literal[tuple(Outcome.values)]
EventKindCode = Literal[tuple(EventKind.values)]


# --- Visits -------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    username: str
    name: str


class VisitOut(Schema):
    id: int
    version: int
    visited_on: date
    unit: UnitRef
    people: list[PersonRef]
    other_people: str
    company: CompanyRef | None
    company_name: str = Field(description="The company's name (from the registry or as written).")
    place: RegionRef | None
    purpose: str
    learned: str
    outcome: OutcomeCode
    outcome_label: str
    next_step: str
    next_step_on: date | None
    next_step_done: bool
    overdue: bool = Field(description="The next step's date has passed and it is not done.")
    project: int | None
    trip: int | None
    trip_stop: int | None


class VisitPage(Page):
    items: list[VisitOut]


def visit_data(visit: Visit, today: date | None = None) -> dict[str, Any]:
    today = today or selectors.reference_day()
    company = visit.company
    return {
        "id": visit.pk,
        "version": visit.version,
        "visited_on": visit.visited_on,
        "unit": unit_ref(visit.unit),
        "people": [
            {"id": p.pk, "username": p.username, "name": str(p)} for p in visit.people.all()
        ],
        "other_people": visit.other_people,
        "company": (
            {"id": company.pk, "name": company.name, "uscc": company.uscc} if company else None
        ),
        "company_name": visit.visited_name,
        "place": region_ref(visit.place),
        "purpose": visit.purpose,
        "learned": visit.learned,
        "outcome": visit.outcome,
        "outcome_label": str(Outcome(visit.outcome).label),
        "next_step": visit.next_step,
        "next_step_on": visit.next_step_on,
        "next_step_done": visit.next_step_done,
        "overdue": bool(
            visit.next_step_on and not visit.next_step_done and visit.next_step_on < today
        ),
        "project": visit.project_id,
        "trip": visit.stop.trip_id if visit.stop_id else None,
        "trip_stop": visit.stop_id,
    }


class VisitQuery(PageQuery):
    unit: IdOrCode | None = Field(None, description="A unit (with its sub-units): id or code.")
    person: str | None = Field(None, description="A user's login name.")
    overdue: bool = Field(False, description="Only visits whose next step is overdue.")
    date_from: date | None = None
    date_to: date | None = None


def _unit(request: HttpRequest, value) -> OrgUnit | None:
    if value is None:
        return None
    resolve = Resolver()
    unit = resolve.unit("unit", value)
    resolve.check()
    if not scoping.visible_fieldwork_units(request.auth).filter(pk=unit.pk).exists():
        raise Http404
    return unit


@router.get("/fieldwork/visits", response={200: VisitPage, 422: ValidationErrorOut, **READ_ERRORS})
def visit_list(request: HttpRequest, query: Query[VisitQuery]):
    """Visits the user may see: a team its own, a district its units', the city all."""
    person = None
    if query.person:
        person = User.objects.filter(username=query.person).first()
        if person is None:
            raise ValidationError(
                {"person": _('There is no user "%(value)s".') % {"value": query.person}}
            )
    queryset = selectors.visit_list(
        user=request.auth,
        unit=_unit(request, query.unit),
        person=person,
        overdue=query.overdue,
        start=query.date_from,
        end=query.date_to,
    ).select_related("stop")
    page = paginate(queryset, query)
    today = selectors.reference_day()
    page["items"] = [visit_data(v, today) for v in page["items"]]
    return page


def _visit(request: HttpRequest, visit_id: int) -> Visit:
    visit = (
        scoping.visible_visits(
            request.auth, Visit.objects.select_related("unit", "company", "place", "stop")
        )
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise Http404
    return visit


@router.get("/fieldwork/visits/{visit_id}", response={200: VisitOut, **READ_ERRORS})
def visit_detail(request: HttpRequest, visit_id: int):
    return visit_data(_visit(request, visit_id))


class VisitIn(WriteSchema):
    visited_on: date
    unit: IdOrCode = Field(description="The unit that made the visit: id or code.")
    people: list[str] = Field(default_factory=list, description="Login names of the users.")
    other_people: str = Field("", description="Other names, separated by 、.")
    company: int | None = Field(None, description="A company of the registry (id).")
    company_name: str = Field("", description="A company not in the registry, by name.")
    place: str | None = Field(None, description='A region code or text ("深圳南山", "韩国首尔").')
    purpose: str = ""
    learned: str = ""
    outcome: OutcomeCode
    next_step: str = ""
    next_step_on: date | None = None
    project: int | None = Field(None, description="A project id the visit is about.")


@router.post("/fieldwork/visits", response={201: VisitOut, **WRITE_ERRORS})
def visit_create(request: HttpRequest, payload: VisitIn):
    """Log a visit (the unit must be one the user enters field work for, else 403)."""
    sent = payload.model_dump()
    resolve = Resolver()
    data: dict[str, Any] = {
        "visited_on": sent["visited_on"],
        "unit": resolve.unit("unit", sent["unit"]),
        "other_people": sent["other_people"].strip(),
        "company_name": sent["company_name"].strip(),
        "purpose": sent["purpose"].strip(),
        "learned": sent["learned"].strip(),
        "outcome": sent["outcome"],
        "next_step": sent["next_step"].strip(),
        "next_step_on": sent["next_step_on"],
        "place": resolve.region("place", sent["place"]) if sent["place"] else None,
    }
    if sent["company"] is not None:
        data["company"] = resolve.model(
            "company",
            sent["company"],
            Company.objects.all(),
            names=(),
            missing=_("There is no company with id %(value)s."),
        )
    if sent["project"] is not None:
        project = scoping.visible_projects(request.auth).filter(pk=sent["project"]).first()
        if project is None:
            resolve.fail(
                "project", _("There is no project with id %(value)s.") % {"value": sent["project"]}
            )
        data["project"] = project
    people = list(User.objects.filter(username__in=sent["people"]))
    for name in sorted(set(sent["people"]) - {p.username for p in people}):
        resolve.fail("people", _('There is no user "%(value)s".') % {"value": name})
    resolve.check()
    visit = services.visit_create(data=data, by=request.auth, people=people)
    return HttpStatus(201, visit_data(_visit(request, visit.pk)))


class LeadIn(WriteSchema):
    version: int
    name: str = ""
    district: IdOrCode | None = Field(None, description="Default: the visiting unit's district.")


class LeadOut(Schema):
    project: int
    name: str
    visit: VisitOut


@router.post("/fieldwork/visits/{visit_id}/lead", response={201: LeadOut, **WRITE_ERRORS})
def visit_lead(request: HttpRequest, visit_id: int, payload: LeadIn):
    """Create a lead (线索) from the visit in one step and link the visit to it."""
    visit = _visit(request, visit_id)
    resolve = Resolver()
    district = resolve.district("district", payload.district)
    resolve.check()
    project = services.visit_create_lead(
        visit=visit, by=request.auth, version=payload.version, name=payload.name, district=district
    )
    return HttpStatus(
        201,
        {
            "project": project.pk,
            "name": project.name,
            "visit": visit_data(_visit(request, visit_id)),
        },
    )


# --- Trips --------------------------------------------------------------------------------


class StopOut(Schema):
    order: int
    place: RegionRef
    arrive_on: date | None
    leg_km: Number | None
    visits: int


class LegOut(Schema):
    start: str
    end: str
    great_circle_km: Number | None
    estimate_km: Number | None
    reported_km: Number | None


class TripOut(Schema):
    id: int
    version: int
    unit: UnitRef
    title: str
    start_on: date
    end_on: date
    days: int
    other_people: str
    stops: list[StopOut]
    reported_km: Number | None = Field(description="As entered: the trip's total, else its legs.")
    estimate_km: Number | None = Field(
        description="Great-circle distance from and back to the home city × the road factor."
    )
    great_circle_km: Number | None
    road_factor: Number
    deviation_pct: Number | None = Field(description="(reported − estimate) ÷ estimate, in %.")
    flagged: bool = Field(
        description="The reported distance is further from the estimate than the tolerance allows."
    )
    legs: list[LegOut]


class TripPage(Page):
    items: list[TripOut]


def trip_data(trip: Trip) -> dict[str, Any]:
    estimate = trip_estimate(trip)
    stops = list(trip.stops.select_related("place"))
    visits = dict(
        Visit.objects.filter(stop__trip=trip).values_list("stop_id").annotate(n=Count("id"))
    )
    deviation = estimate.deviation
    return {
        "id": trip.pk,
        "version": trip.version,
        "unit": unit_ref(trip.unit),
        "title": str(trip),
        "start_on": trip.start_on,
        "end_on": trip.end_on,
        "days": trip.days,
        "other_people": trip.other_people,
        "stops": [
            {
                "order": s.order,
                "place": region_ref(s.place),
                "arrive_on": s.arrive_on,
                "leg_km": s.leg_km,
                "visits": visits.get(s.pk, 0),
            }
            for s in stops
        ],
        "reported_km": trip.reported_total_km,
        "estimate_km": estimate.estimate_km,
        "great_circle_km": estimate.great_circle_km,
        "road_factor": estimate.factor,
        "deviation_pct": round(deviation * 100, 1) if deviation is not None else None,
        "flagged": estimate.flagged,
        "legs": [leg.__dict__ for leg in estimate.legs],
    }


class TripQuery(PageQuery):
    unit: IdOrCode | None = Field(None, description="A unit (with its sub-units): id or code.")
    date_from: date | None = Field(None, description="Trips starting on or after.")
    date_to: date | None = Field(None, description="Trips starting on or before.")


@router.get("/fieldwork/trips", response={200: TripPage, **READ_ERRORS})
def trip_list(request: HttpRequest, query: Query[TripQuery]):
    queryset = scoping.visible_trips(request.auth).select_related("unit")
    unit = _unit(request, query.unit)
    if unit is not None:
        queryset = queryset.filter(unit_id__in=scoping.unit_subtree_ids(unit.pk))
    if query.date_from:
        queryset = queryset.filter(start_on__gte=query.date_from)
    if query.date_to:
        queryset = queryset.filter(start_on__lte=query.date_to)
    page = paginate(queryset, query)
    page["items"] = [trip_data(t) for t in page["items"]]
    return page


def _trip(request: HttpRequest, trip_id: int) -> Trip:
    trip = (
        scoping.visible_trips(request.auth, Trip.objects.select_related("unit"))
        .filter(pk=trip_id)
        .first()
    )
    if trip is None:
        raise Http404
    return trip


@router.get("/fieldwork/trips/{trip_id}", response={200: TripOut, **READ_ERRORS})
def trip_detail(request: HttpRequest, trip_id: int):
    return trip_data(_trip(request, trip_id))


class StopIn(WriteSchema):
    place: str = Field(description='A region code or text ("深圳南山区", "德国慕尼黑").')
    arrive_on: date | None = None
    leg_km: Number | None = Field(None, description="Reported km of the leg ending here.")
    note: str = ""


class TripIn(WriteSchema):
    unit: IdOrCode
    title: str = ""
    start_on: date
    end_on: date
    other_people: str = ""
    stops: list[StopIn]
    reported_km: Number | None = Field(None, description="The whole trip's km, if reported so.")
    return_km: Number | None = Field(None, description="Km of the way home, when entered per leg.")
    notes: str = ""


@router.post("/fieldwork/trips", response={201: TripOut, **WRITE_ERRORS})
def trip_create(request: HttpRequest, payload: TripIn):
    resolve = Resolver()
    data = {
        "unit": resolve.unit("unit", payload.unit),
        "title": payload.title.strip(),
        "start_on": payload.start_on,
        "end_on": payload.end_on,
        "other_people": payload.other_people.strip(),
        "reported_km": payload.reported_km,
        "return_km": payload.return_km,
        "notes": payload.notes,
    }
    stops = []
    for number, stop in enumerate(payload.stops, start=1):
        place = resolve.region(f"stops[{number}].place", stop.place)
        stops.append(
            {"place": place, "arrive_on": stop.arrive_on, "leg_km": stop.leg_km, "note": stop.note}
        )
    resolve.check()
    trip = services.trip_create(data=data, stops=stops, by=request.auth)
    return HttpStatus(201, trip_data(_trip(request, trip.pk)))


# --- Summary ------------------------------------------------------------------------------


class SummaryOut(Schema):
    unit: UnitRef
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    period_days: int
    days: int = Field(description="Days away: calendar days covered by the trips.")
    cities: int
    regions: int
    visits: int
    km: Number = Field(description="Kilometres as entered.")
    km_rounded: int
    trips: int
    text: str = Field(description="The report's sentence: N天内奔赴X个重点城市、Y个重点区域……")


class SummaryQuery(Schema):
    unit: IdOrCode = Field(description="A unit (with every unit under it): id, code or name.")
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")


@router.get("/fieldwork/summary", response={200: SummaryOut, **READ_ERRORS}, by_alias=True)
def fieldwork_summary(request: HttpRequest, query: Query[SummaryQuery]):
    """A unit's field work (with every unit under it) in a period, in the report's wording."""
    found = _unit(request, query.unit)
    date_from, date_to = query.date_from, query.date_to
    if date_to < date_from:
        raise ValidationError(
            {
                "to": _("The end (%(end)s) is before the start (%(start)s).")
                % {"end": date_to, "start": date_from}
            }
        )
    return selectors.summary(user=request.auth, unit=found, start=date_from, end=date_to).as_dict()


# --- Events -------------------------------------------------------------------------------


class EventOut(Schema):
    id: int
    version: int
    name: str
    kind: EventKindCode
    kind_label: str
    held_on: date
    ends_on: date | None
    place: RegionRef | None
    place_kind: str = Field(description="home, other_city or abroad (empty when no place).")
    organiser: UnitRef | None
    programme: NamedRef | None
    leaders: str


class EventPage(Page):
    items: list[EventOut]


def event_data(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "version": event.version,
        "name": event.name,
        "kind": event.kind,
        "kind_label": str(EventKind(event.kind).label),
        "held_on": event.held_on,
        "ends_on": event.ends_on,
        "place": region_ref(event.place),
        "place_kind": event.place_kind,
        "organiser": unit_ref(event.organiser),
        "programme": (
            {"id": event.programme.pk, "name": event.programme.name} if event.programme else None
        ),
        "leaders": event.leaders,
    }


class StageCount(Schema):
    stage: str
    label: str
    count: int


class EventDetailOut(EventOut):
    signed_count: int
    signed_total_wan: Number
    counted: int = Field(description="How many count as 亿元以上 under the current definition.")
    counted_total_wan: Number
    threshold_words: str
    definition_version: int
    stages: list[StageCount] = Field(description="How many reached each stage after 签约.")
    text: str = Field(description="20个项目集中签约，总投资165.2亿元")
    projects: list[int]


class EventQuery(PageQuery):
    year: int | None = None
    kind: EventKindCode | None = None


@router.get("/fieldwork/events", response={200: EventPage, **READ_ERRORS})
def event_list(request: HttpRequest, query: Query[EventQuery]):
    queryset = scoping.visible_events(request.auth).select_related(
        "place__city", "organiser", "programme"
    )
    if query.year:
        queryset = queryset.filter(held_on__year=query.year)
    if query.kind:
        queryset = queryset.filter(kind=query.kind)
    page = paginate(queryset, query)
    page["items"] = [event_data(e) for e in page["items"]]
    return page


@router.get("/fieldwork/events/{event_id}", response={200: EventDetailOut, **READ_ERRORS})
def event_detail(request: HttpRequest, event_id: int):
    """The event with its signings totalled (the projects the user may see)."""
    event = scoping.visible_events(request.auth).filter(pk=event_id).first()
    if event is None:
        raise Http404
    totals = selectors.event_totals(user=request.auth, event=event)
    return {
        **event_data(event),
        "signed_count": totals["count"],
        "signed_total_wan": totals["total_wan"],
        "counted": totals["counted"],
        "counted_total_wan": totals["counted_total_wan"],
        "threshold_words": totals["threshold_words"],
        "definition_version": totals["definition_version"],
        "stages": totals["stages"],
        "text": totals["text"],
        "projects": list(totals["projects"].order_by("pk").values_list("pk", flat=True)),
    }


# --- Channels -----------------------------------------------------------------------------


class ChannelRow(Schema):
    code: str
    name: str
    count: int
    total_wan: Number
    counted: int
    counted_total_wan: Number


class RankRow(Schema):
    id: int | None = None
    name: str
    count: int
    total_wan: Number


class ChannelsOut(Schema):
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    channels: list[ChannelRow]
    introducers: list[RankRow] = Field(description="Local companies that introduced investors.")
    agents: list[RankRow] = Field(description="Agents of 委托招商 and 中介招商.")


class PeriodQuery(Schema):
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")


@router.get("/fieldwork/channels", response={200: ChannelsOut, **READ_ERRORS}, by_alias=True)
def channel_figures(request: HttpRequest, query: Query[PeriodQuery]):
    """Projects signed in the period by channel, and the introducers and agents ranked by the
    investment they brought."""
    user = request.auth
    date_from, date_to = query.date_from, query.date_to
    return {
        "from": date_from,
        "to": date_to,
        "channels": selectors.channel_figures(user=user, start=date_from, end=date_to),
        "introducers": selectors.introducer_ranking(user=user, start=date_from, end=date_to),
        "agents": selectors.agent_ranking(user=user, start=date_from, end=date_to),
    }

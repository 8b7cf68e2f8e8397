"""Field-work pages: visits (with the phone's quick entry), trips, the summary, events, channels,
the calendar. Every read goes through yinli.core.scoping (a record outside it is 404), every
write through yinli.fieldwork.services."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinli.companies.duplicates import duplicate_warnings
from yinli.core import scoping
from yinli.core.models import OrgUnit, User
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.projects.models import Project
from yinli.web.fields import apply_service_errors

from . import selectors, services
from .distance import trip_estimate
from .forms import AttributionForm, EventForm, LeadForm, PeriodUnitForm, TripForm, VisitForm
from .models import ChannelAttribution, Event, Trip, Visit

PER_PAGE = 50


def _may_enter(user) -> bool:
    return scoping.units_for_entry(user).exists()


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version") or 0) or None
    except ValueError:
        return None


def _reference_today() -> date:
    return selectors.reference_day()


# --- index ------------------------------------------------------------------------------


def index(request):
    user = request.user
    today = _reference_today()
    visits = scoping.visible_visits(user)
    return render(
        request,
        "fieldwork/index.html",
        {
            "may_enter": _may_enter(user),
            "recent": selectors.visit_list(user=user)[:10],
            "overdue_count": visits.filter(selectors.overdue_q(today)).count(),
            "visit_count": visits.count(),
            "trip_count": scoping.visible_trips(user).count(),
            "event_count": scoping.visible_events(user).count(),
        },
    )


# --- visits -----------------------------------------------------------------------------


def _unit_param(request) -> OrgUnit | None:
    value = request.GET.get("unit")
    if not value:
        return None
    unit = (
        scoping.visible_fieldwork_units(request.user).filter(pk=value).first()
        if value.isdigit()
        else None
    )
    if unit is None:
        raise Http404
    return unit


def visit_list(request):
    user = request.user
    unit = _unit_param(request)
    person = None
    if request.GET.get("person", "").isdigit():
        person = get_object_or_404(User, pk=request.GET["person"])
    overdue = request.GET.get("overdue") == "1"
    queryset = selectors.visit_list(user=user, unit=unit, person=person, overdue=overdue)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "fieldwork/visit_list.html",
        {
            "page": page,
            "unit": unit,
            "person": person,
            "overdue": overdue,
            "units": scoping.visible_fieldwork_units(user).order_by("sort_order", "code"),
            "may_enter": _may_enter(user),
            "today": _reference_today(),
        },
    )


def _get_visit(request, pk: int, *, change: bool = False) -> Visit:
    visit = get_object_or_404(
        scoping.visible_visits(
            request.user,
            Visit.objects.select_related(
                "unit", "company__region", "place__city__province", "project", "stop__trip"
            ),
        ),
        pk=pk,
    )
    if change and not scoping.changeable_visits(request.user, Visit.objects.filter(pk=pk)).exists():
        raise PermissionDenied
    return visit


def _visit_form_view(request, *, visit: Visit | None, quick: bool):
    user = request.user
    if not _may_enter(user):
        raise PermissionDenied
    instance = visit or Visit()
    stop = request.GET.get("stop", "")
    initial = {"stop": int(stop)} if visit is None and stop.isdigit() else {}
    form = VisitForm(
        request.POST or None, instance=instance, user=user, quick=quick, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data, people = form.service_data()
        try:
            with transaction.atomic():
                if visit is None:
                    saved = services.visit_create(data=data, by=user, people=people)
                else:
                    saved = services.visit_update(
                        visit=visit,
                        data=data,
                        version=form.cleaned_data.get("version") or visit.version,
                        by=user,
                        people=people,
                    )
        except PermissionDeniedError as error:
            form.add_error(None, error.messages)
        except ValidationError as error:
            apply_service_errors(form, error, {"company": "company_name"})
        else:
            messages.success(request, _("Visit saved."))
            return redirect("fieldwork:visit-detail", pk=saved.pk)
    template = "fieldwork/visit_quick.html" if quick else "fieldwork/visit_form.html"
    return render(request, template, {"form": form, "visit": visit, "quick": quick})


def visit_create(request):
    return _visit_form_view(request, visit=None, quick=False)


def visit_quick(request):
    return _visit_form_view(request, visit=None, quick=True)


def visit_edit(request, pk: int):
    return _visit_form_view(request, visit=_get_visit(request, pk, change=True), quick=False)


def visit_detail(request, pk: int):
    user = request.user
    visit = _get_visit(request, pk)
    can_change = scoping.changeable_visits(user, Visit.objects.filter(pk=pk)).exists()
    warnings = []
    if visit.company_id or visit.company_name:
        warnings = duplicate_warnings(
            company_name=visit.visited_name, user=user, district=visit.unit.district_id
        )
    return render(
        request,
        "fieldwork/visit_detail.html",
        {
            "visit": visit,
            "can_change": can_change,
            "warnings": warnings,
            "lead_form": LeadForm(user=user, visit=visit)
            if can_change and not visit.project_id and scoping.districts_for_entry(user).exists()
            else None,
            "project_visible": visit.project_id and scoping.can_see_project(user, visit.project),
            "overdue": visit.next_step_on
            and not visit.next_step_done
            and visit.next_step_on < _reference_today(),
        },
    )


@require_POST
def visit_lead(request, pk: int):
    user = request.user
    visit = _get_visit(request, pk, change=True)
    form = LeadForm(request.POST, user=user, visit=visit)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("fieldwork:visit-detail", pk=pk)
    try:
        project = services.visit_create_lead(
            visit=visit,
            by=user,
            version=_version(request) or visit.version,
            name=form.cleaned_data.get("name") or "",
            district=form.cleaned_data["district"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("fieldwork:visit-detail", pk=pk)
    messages.success(request, _("Lead “%(name)s” created from the visit.") % {"name": project.name})
    return redirect("projects:detail", pk=project.pk)


@require_POST
def visit_done(request, pk: int):
    visit = _get_visit(request, pk, change=True)
    try:
        services.visit_set_next_step_done(
            visit=visit, by=request.user, version=_version(request) or visit.version
        )
    except StaleWriteError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Next step marked done."))
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("fieldwork:visit-detail", pk=pk)


@require_POST
def visit_delete(request, pk: int):
    visit = _get_visit(request, pk, change=True)
    try:
        services.visit_delete(
            visit=visit, by=request.user, version=_version(request) or visit.version
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("fieldwork:visit-detail", pk=pk)
    messages.success(request, _("Visit deleted."))
    return redirect("fieldwork:visits")


# --- trips ------------------------------------------------------------------------------


def trip_list(request):
    user = request.user
    unit = _unit_param(request)
    queryset = scoping.visible_trips(user).select_related("unit").prefetch_related("stops__place")
    if unit is not None:
        queryset = queryset.filter(unit_id__in=scoping.unit_subtree_ids(unit.pk))
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "fieldwork/trip_list.html",
        {
            "page": page,
            "unit": unit,
            "units": scoping.visible_fieldwork_units(user).order_by("sort_order", "code"),
            "may_enter": _may_enter(user),
        },
    )


def _get_trip(request, pk: int, *, change: bool = False) -> Trip:
    trip = get_object_or_404(
        scoping.visible_trips(request.user, Trip.objects.select_related("unit")), pk=pk
    )
    if change and not scoping.changeable_trips(request.user, Trip.objects.filter(pk=pk)).exists():
        raise PermissionDenied
    return trip


def _chart(trip: Trip, estimate) -> dict:
    """Points and lines on a longitude/latitude grid (no map outline: DESIGN.md, Maps)."""
    from django.conf import settings

    from yinli.core.models import Region

    from .distance import coordinates

    home = Region.objects.filter(code=settings.HOME_REGION).first()
    points = []
    if home is not None and coordinates(home):
        lat, lng = coordinates(home)
        points.append({"name": home.name, "value": [lng, lat], "home": True})
    for stop in trip.stops.select_related("place__city", "place__province"):
        at = coordinates(stop.place)
        if at:
            points.append({"name": f"{stop.order}. {stop.place.name}", "value": [at[1], at[0]]})
    route = [p["value"] for p in points]
    if points and points[0].get("home"):
        route.append(points[0]["value"])
    return {"points": points, "route": route}


def trip_detail(request, pk: int):
    user = request.user
    trip = _get_trip(request, pk)
    estimate = trip_estimate(trip)
    stops = list(trip.stops.select_related("place__city__province", "place__parent"))
    visits = scoping.visible_visits(user).filter(stop__trip=trip).select_related("company", "stop")
    by_stop: dict[int, list] = {}
    for visit in visits:
        by_stop.setdefault(visit.stop_id, []).append(visit)
    rows = [{"stop": stop, "visits": by_stop.get(stop.pk, [])} for stop in stops]
    return render(
        request,
        "fieldwork/trip_detail.html",
        {
            "trip": trip,
            "rows": rows,
            "estimate": estimate,
            "deviation_pct": round(estimate.deviation * 100, 1)
            if estimate.deviation is not None
            else None,
            "chart": _chart(trip, estimate),
            "can_change": scoping.changeable_trips(user, Trip.objects.filter(pk=pk)).exists(),
        },
    )


def _trip_form_view(request, trip: Trip | None):
    user = request.user
    if not _may_enter(user):
        raise PermissionDenied
    form = TripForm(request.POST or None, instance=trip or Trip(), user=user)
    if request.method == "POST" and form.is_valid():
        data, stops, people = form.service_data()
        try:
            with transaction.atomic():
                if trip is None:
                    saved = services.trip_create(data=data, stops=stops, by=user, people=people)
                else:
                    saved = services.trip_update(
                        trip=trip,
                        data=data,
                        stops=stops,
                        version=form.cleaned_data.get("version") or trip.version,
                        by=user,
                        people=people,
                    )
        except PermissionDeniedError as error:
            form.add_error(None, error.messages)
        except ValidationError as error:
            apply_service_errors(form, error, {"stops": "stops_text"})
        else:
            messages.success(request, _("Trip saved."))
            return redirect("fieldwork:trip-detail", pk=saved.pk)
    return render(request, "fieldwork/trip_form.html", {"form": form, "trip": trip})


def trip_create(request):
    return _trip_form_view(request, None)


def trip_edit(request, pk: int):
    return _trip_form_view(request, _get_trip(request, pk, change=True))


# --- summary ----------------------------------------------------------------------------


def _default_unit(user) -> OrgUnit | None:
    units = scoping.visible_fieldwork_units(user)
    if user.org_unit_id and units.filter(pk=user.org_unit_id).exists():
        return user.org_unit
    return units.order_by("sort_order", "code").first()


def summary(request):
    user = request.user
    form = PeriodUnitForm(request.GET or None, user=user)
    result = None
    if form.is_valid() or not request.GET:
        cleaned = form.cleaned_data if form.is_bound else {}
        unit = cleaned.get("unit") or _default_unit(user)
        end = cleaned.get("end") or _reference_today()
        start = cleaned.get("start") or end.replace(month=1, day=1)
        if unit is not None:
            result = selectors.summary(user=user, unit=unit, start=start, end=end)
    return render(request, "fieldwork/summary.html", {"form": form, "summary": result})


# --- events -----------------------------------------------------------------------------


def event_list(request):
    events = scoping.visible_events(request.user).select_related("place", "organiser", "programme")
    year = request.GET.get("year")
    if year and year.isdigit():
        events = events.filter(held_on__year=int(year))
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "fieldwork/event_list.html",
        {"page": page, "may_enter": _may_enter(request.user), "year": year},
    )


def event_detail(request, pk: int):
    user = request.user
    event = get_object_or_404(
        scoping.visible_events(
            user, Event.objects.select_related("place__city", "organiser", "programme")
        ),
        pk=pk,
    )
    totals = selectors.event_totals(user=user, event=event)
    return render(
        request,
        "fieldwork/event_detail.html",
        {
            "event": event,
            "totals": totals,
            "projects": totals["projects"]
            .select_related("district", "company")
            .order_by("-total_investment"),
            "can_change": scoping.changeable_events(user, Event.objects.filter(pk=pk)).exists(),
        },
    )


def _event_form_view(request, event: Event | None):
    user = request.user
    if event is None and not _may_enter(user):
        raise PermissionDenied
    form = EventForm(request.POST or None, instance=event or Event(), user=user)
    if request.method == "POST" and form.is_valid():
        try:
            if event is None:
                saved = services.event_create(data=form.service_data(), by=user)
            else:
                saved = services.event_update(
                    event=event,
                    data=form.service_data(),
                    version=form.cleaned_data.get("version") or event.version,
                    by=user,
                )
        except PermissionDeniedError as error:
            form.add_error(None, error.messages)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Event saved."))
            return redirect("fieldwork:event-detail", pk=saved.pk)
    return render(request, "fieldwork/event_form.html", {"form": form, "event": event})


def event_create(request):
    return _event_form_view(request, None)


def event_edit(request, pk: int):
    event = get_object_or_404(scoping.visible_events(request.user), pk=pk)
    if not scoping.changeable_events(request.user, Event.objects.filter(pk=pk)).exists():
        raise PermissionDenied
    return _event_form_view(request, event)


# --- channels ---------------------------------------------------------------------------


def _period(request) -> tuple[date, date]:
    from yinli.core.parsing import parse_optional_date

    today = _reference_today()
    try:
        start = parse_optional_date(request.GET.get("start") or None, allow_month=False)
        end = parse_optional_date(request.GET.get("end") or None, allow_month=False)
    except ValidationError:
        start = end = None
    end_day = end.date if end else today
    start_day = start.date if start else end_day.replace(month=1, day=1)
    return start_day, end_day


def channels(request):
    user = request.user
    start, end = _period(request)
    return render(
        request,
        "fieldwork/channels.html",
        {
            "start": start,
            "end": end,
            "rows": selectors.channel_figures(user=user, start=start, end=end),
            "introducers": selectors.introducer_ranking(user=user, start=start, end=end),
            "agents": selectors.agent_ranking(user=user, start=start, end=end),
        },
    )


def attribution_edit(request, project_pk: int):
    user = request.user
    project = get_object_or_404(
        scoping.visible_projects(user, Project.objects.select_related("channel", "event")),
        pk=project_pk,
    )
    if not scoping.can_change_project(user, project):
        raise PermissionDenied
    attribution = ChannelAttribution.all_objects.filter(project=project).first()
    form = AttributionForm(
        request.POST or None, instance=attribution or ChannelAttribution(), user=user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attribution_set(
                project=project,
                data=form.service_data(),
                by=user,
                version=form.cleaned_data.get("version") if attribution else None,
            )
        except PermissionDeniedError as error:
            form.add_error(None, error.messages)
        except ValidationError as error:
            apply_service_errors(form, error, {"introducer_company": "company_name"})
        else:
            messages.success(request, _("Channel details saved."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "fieldwork/attribution_form.html", {"form": form, "project": project})


# --- calendar ---------------------------------------------------------------------------


def calendar_month(request):
    user = request.user
    unit = _unit_param(request)
    today = _reference_today()
    try:
        year, month = (int(part) for part in (request.GET.get("month") or "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    data = selectors.month_calendar(user=user, year=first.year, month=first.month, unit=unit)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "fieldwork/calendar.html",
        {
            **data,
            "unit": unit,
            "units": scoping.visible_fieldwork_units(user).order_by("sort_order", "code"),
            "previous": previous,
            "following": following,
            "today": today,
        },
    )

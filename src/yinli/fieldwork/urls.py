"""Pages of the fieldwork app."""

from django.urls import path

from . import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.index, name="index"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_create, name="visit-create"),
    path("visits/quick/", views.visit_quick, name="visit-quick"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit-edit"),
    path("visits/<int:pk>/lead/", views.visit_lead, name="visit-lead"),
    path("visits/<int:pk>/done/", views.visit_done, name="visit-done"),
    path("visits/<int:pk>/delete/", views.visit_delete, name="visit-delete"),
    path("trips/", views.trip_list, name="trips"),
    path("trips/new/", views.trip_create, name="trip-create"),
    path("trips/<int:pk>/", views.trip_detail, name="trip-detail"),
    path("trips/<int:pk>/edit/", views.trip_edit, name="trip-edit"),
    path("summary/", views.summary, name="summary"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_create, name="event-create"),
    path("events/<int:pk>/", views.event_detail, name="event-detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("channels/", views.channels, name="channels"),
    path("projects/<int:project_pk>/channel/", views.attribution_edit, name="attribution-edit"),
    path("calendar/", views.calendar_month, name="calendar"),
]

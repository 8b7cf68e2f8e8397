"""Pages of the reporting app."""

from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("overdue/", views.overdue, name="overdue"),
    path("<str:code>/<slug:district>/", views.detail, name="detail"),
    path("<str:code>/<slug:district>/submit/", views.submit, name="submit"),
    path("<str:code>/<slug:district>/return/", views.return_report, name="return"),
    path("<str:code>/<slug:district>/accept/", views.accept, name="accept"),
    path("<str:code>/<slug:district>/reopen/", views.reopen, name="reopen"),
]

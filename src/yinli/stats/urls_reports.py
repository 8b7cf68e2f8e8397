"""Published reports: the list, one report (frozen, beside today's figures), downloads, publish."""

from django.urls import path

from . import views_reports

urlpatterns = [
    path("published/", views_reports.published_list, name="published-list"),
    path("published/new/", views_reports.publish, name="publish"),
    path("published/<int:pk>/", views_reports.published_detail, name="published-detail"),
    path(
        "published/<int:pk>/projects/<slug:figure>/",
        views_reports.published_projects,
        name="published-projects",
    ),
    path(
        "published/<int:pk>/download.<str:fmt>",
        views_reports.published_download,
        name="published-download",
    ),
]

"""Pages of the targets app."""

from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("", views.index, name="index"),
    path("edit/", views.edit, name="edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("export/", views.export, name="export"),
    path("import/", views.upload, name="import"),
    path("ranking/", views.ranking, name="ranking"),
    path("schemes/", views.schemes, name="schemes"),
    path("schemes/new/", views.scheme_edit, name="scheme-create"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme-edit"),
    path("summary/", views.summary, name="summary"),
]

"""The dashboard (驾驶舱), its chart panels, and the pages of the statistics definitions."""

from django.urls import path

from . import views_dashboard, views_definitions

urlpatterns = [
    path("", views_dashboard.index, name="index"),
    path("tiles/", views_dashboard.tiles, name="tiles"),
    path("panel/<slug:name>/", views_dashboard.panel, name="panel"),
    path("definitions/", views_definitions.definition_list, name="definitions"),
    path("definitions/new/", views_definitions.definition_new, name="definition_new"),
    path("definitions/<int:version>/", views_definitions.definition_detail, name="definition"),
    path(
        "definitions/<int:version>/current/",
        views_definitions.definition_current,
        name="definition_current",
    ),
]

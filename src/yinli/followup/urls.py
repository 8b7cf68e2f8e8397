"""Pages of the followup app."""

from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("", views.index, name="index"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_edit, name="rule-create"),
    path("rules/<int:pk>/", views.rule_edit, name="rule-edit"),
    path("projects/<int:pk>/funds/", views.funds, name="funds"),
    path("projects/<int:pk>/funds/<int:entry>/delete/", views.funds_delete, name="funds-delete"),
    path("projects/<int:pk>/permits/", views.permits, name="permits"),
    path("projects/<int:pk>/permits/create/", views.permits_create, name="permits-create"),
    path("projects/<int:pk>/permits/<int:item>/", views.permit_edit, name="permit-edit"),
]

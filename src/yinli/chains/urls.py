"""Pages of the chains app."""

from django.urls import path

from . import views

app_name = "chains"

urlpatterns = [
    path("", views.chain_index, name="index"),
    path("new/", views.chain_create, name="create"),
    path("<int:pk>/", views.chain_detail, name="detail"),
    path("<int:pk>/edit/", views.chain_edit, name="edit"),
    path("<int:pk>/nodes/new/", views.node_create, name="node_create"),
    path("nodes/<int:pk>/", views.node_detail, name="node"),
    path("nodes/<int:pk>/edit/", views.node_edit, name="node_edit"),
    path("nodes/<int:pk>/delete/", views.node_delete, name="node_delete"),
    path("nodes/<int:pk>/propose/", views.node_propose, name="node_propose"),
    path("nodes/<int:pk>/keywords/", views.node_add_keywords, name="node_add_keywords"),
    path("nodes/<int:pk>/companies/", views.node_add_company, name="node_add_company"),
    path(
        "nodes/<int:pk>/companies/<int:company_pk>/<str:action>/",
        views.placement_decide,
        name="decide",
    ),
]

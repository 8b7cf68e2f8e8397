"""Pages of the chains app."""

from django.urls import path

from . import enterprise_views, target_views, views

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
    path("nodes/<int:pk>/targets/", target_views.node_targets, name="targets"),
    path(
        "nodes/<int:pk>/targets/save/", target_views.target_list_create, name="target_list_create"
    ),
    path("lists/", target_views.target_list_index, name="target_lists"),
    path("lists/<int:pk>/", target_views.target_list_detail, name="target_list"),
    path("lists/<int:pk>/export/", target_views.target_list_export, name="target_list_export"),
    path(
        "lists/<int:pk>/items/<int:item_pk>/lead/",
        target_views.target_item_lead,
        name="target_item_lead",
    ),
    path("enterprises/", enterprise_views.enterprise_import, name="enterprise_import"),
    path("enterprises/<slug:token>/", enterprise_views.enterprise_status, name="enterprise_status"),
    path("relationships/", target_views.relationship_index, name="relationships"),
    path("relationships/new/", target_views.relationship_create, name="relationship_create"),
    path("relationships/import/", target_views.relationship_import, name="relationship_import"),
    path(
        "relationships/<int:pk>/delete/",
        target_views.relationship_delete,
        name="relationship_delete",
    ),
]

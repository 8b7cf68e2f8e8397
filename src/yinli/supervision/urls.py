"""Pages of the supervision app."""

from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("obstacles/", views.obstacle_list, name="obstacles"),
    path("obstacles/<int:pk>/", views.obstacle_detail, name="obstacle"),
    path("obstacles/<int:pk>/progress/", views.obstacle_progress, name="obstacle-progress"),
    path("obstacles/<int:pk>/close/", views.obstacle_close, name="obstacle-close"),
    path("obstacles/<int:pk>/reopen/", views.obstacle_reopen, name="obstacle-reopen"),
    path("obstacles/<int:pk>/edit/", views.obstacle_edit, name="obstacle-edit"),
    path("projects/<int:project_pk>/obstacles/new/", views.obstacle_create, name="obstacle-create"),
    path("taskforces/", views.taskforce_list, name="taskforces"),
    path("projects/<int:project_pk>/taskforce/", views.taskforce_edit, name="taskforce-edit"),
    path("instructions/", views.instruction_list, name="instructions"),
    path("instructions/new/", views.instruction_create, name="instruction-create"),
    path("instructions/<int:pk>/", views.instruction_detail, name="instruction"),
    path("instructions/<int:pk>/done/", views.instruction_done, name="instruction-done"),
    path(
        "instructions/units/<int:pk>/respond/",
        views.instruction_respond,
        name="instruction-respond",
    ),
    path(
        "documents/<int:type_id>/<int:owner_id>/upload/",
        views.document_upload,
        name="document-upload",
    ),
    path("documents/<int:pk>/download/", views.document_download, name="document-download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document-delete"),
]

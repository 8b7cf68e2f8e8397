from django.urls import path

from . import views, views_conflicts

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("board/", views.project_board, name="board"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/stage/", views.project_stage, name="stage"),
    path("<int:pk>/status/", views.project_status, name="status"),
    path("<int:pk>/delete/", views.project_delete, name="delete"),
    path("<int:pk>/restore/", views.project_restore, name="restore"),
    path("<int:pk>/claims/new/", views_conflicts.claim_add, name="claim-add"),
    path("<int:pk>/merge/", views_conflicts.project_merge, name="merge"),
    path("<int:pk>/unmerge/", views_conflicts.project_unmerge, name="unmerge"),
    path("conflicts/", views_conflicts.conflict_list, name="conflicts"),
    path("conflicts/open/", views_conflicts.conflict_open, name="conflict-open"),
    path("conflicts/<int:pk>/", views_conflicts.conflict_detail, name="conflict"),
]

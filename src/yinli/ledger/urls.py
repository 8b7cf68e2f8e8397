"""Pages of the ledger app."""

from django.urls import path

from . import export_views, views

app_name = "ledger"

urlpatterns: list = [
    # The import (H3): upload → mapping → preview → commit, the history and undo, the 入库 list.
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("upload/<slug:token>/mapping/", views.mapping, name="mapping"),
    path("upload/<slug:token>/preview/", views.preview, name="preview"),
    path("upload/<slug:token>/decide/", views.decide, name="decide"),
    path("upload/<slug:token>/commit/", views.commit, name="commit"),
    path("upload/<slug:token>/status/", views.status, name="status"),
    path("upload/<slug:token>/cancel/", views.cancel, name="cancel"),
    path("imports/", views.batch_list, name="batch-list"),
    path("imports/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("imports/<int:pk>/undo/", views.undo, name="undo"),
    path("fai/", views.fai, name="fai"),
    path("fai/<slug:token>/", views.fai_preview, name="fai-preview"),
    # The export (H4): the filtered project list as .xlsx / .csv, and the export log.
    path("export/projects/", export_views.project_export, name="export"),
    path("export/log/", export_views.export_log, name="export-log"),
]

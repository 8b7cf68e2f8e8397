from django.urls import path

from . import views, views_merge

app_name = "companies"

urlpatterns = [
    path("", views.company_list, name="list"),
    path("search/", views.company_search, name="search"),
    path("new/", views.company_create, name="create"),
    path("<int:pk>/", views.company_detail, name="detail"),
    path("<int:pk>/edit/", views.company_edit, name="edit"),
    path("<int:pk>/merge/", views_merge.company_merge, name="merge"),
    path("<int:pk>/unmerge/", views_merge.company_unmerge, name="unmerge"),
]

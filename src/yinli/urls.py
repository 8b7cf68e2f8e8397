from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("yinli.api.urls")),
    path("projects/", include("yinli.projects.urls")),
    path("companies/", include("yinli.companies.urls")),
    path("", include("yinli.web.urls")),
]

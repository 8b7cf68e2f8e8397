from django.urls import include, path

urlpatterns = [
    path("", include("yinli.web.urls")),
]

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "yinli.api"
    label = "api"

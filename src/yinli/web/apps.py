from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "yinli.web"
    label = "web"

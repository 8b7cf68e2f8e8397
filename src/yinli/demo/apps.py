from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "yinli.demo"
    label = "demo"

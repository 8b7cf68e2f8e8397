from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "yinli.stats"
    label = "stats"

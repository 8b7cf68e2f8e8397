from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "yinli.stats"
    label = "stats"

    def ready(self) -> None:
        from . import signals  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "yinli.chains"
    label = "chains"
    verbose_name = _("Industry chains")

    def ready(self) -> None:
        from . import signals, target_signals  # noqa: F401

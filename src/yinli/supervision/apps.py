from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "yinli.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from . import panels, scoping, signals  # noqa: F401  (panels, owner rules, seeding)

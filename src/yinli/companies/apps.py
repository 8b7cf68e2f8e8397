from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "yinli.companies"
    label = "companies"
    verbose_name = _("Companies")

    def ready(self) -> None:
        from . import signals  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "yinli.referrals"
    label = "referrals"
    verbose_name = _("Referrals and evaluation")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (the default scorecard after migrate)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "yinli.followup"
    label = "followup"
    verbose_name = _("Follow-through")

    def ready(self) -> None:
        from . import signals  # noqa: F401

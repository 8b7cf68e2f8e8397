from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class WebConfig(AppConfig):
    name = "yinli.web"
    label = "web"

    def ready(self) -> None:
        # Each app's panels.py registers its home-page panels (yinli.web.panels).
        autodiscover_modules("panels")

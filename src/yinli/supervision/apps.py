from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "yinli.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from yinli.core.backup import register_files

        from . import panels, scoping, signals  # noqa: F401  (panels, owner rules, seeding)
        from .documents import STORAGE_ALIAS

        register_files(STORAGE_ALIAS, _document_names)


def _document_names(using: str):
    """Stored names of every document row, soft-deleted ones included (they can be restored)."""
    from .models import Document

    return Document._base_manager.using(using).values_list("stored_name", flat=True).iterator()

"""Signal receivers of the company registry."""

from __future__ import annotations

import logging

from django.db import connections
from django.db.models.signals import post_migrate, pre_delete, pre_save
from django.dispatch import receiver

logger = logging.getLogger(__name__)


@receiver(post_migrate)
def keep_search_index(sender, using="default", **kwargs):
    """After a migration rebuilt the company table on SQLite, give the search index back its
    triggers and its rows (see yinli.companies.search.repair_search_index)."""
    if getattr(sender, "label", None) != "companies":
        return
    from .search import repair_search_index

    if repair_search_index(connections[using]):
        logger.warning("The company search index lost its triggers; re-created and refilled.")


@receiver(pre_save, sender="companies.Company")
@receiver(pre_delete, sender="companies.Company")
def record_creation_first(sender, instance, raw=False, **kwargs):
    """Before a company changes or goes, its creation record if it has none (a company the
    enterprise import created; see yinli.companies.records)."""
    if raw or instance.pk is None or instance._state.adding:
        return
    from .records import record_creations

    record_creations([instance.pk])

"""Signal receivers of the company registry."""

from __future__ import annotations

import logging

from django.db import connections
from django.db.models.signals import post_migrate
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

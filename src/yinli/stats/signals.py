"""Signal receivers of the stats app."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def seed_definition(sender, using="default", **kwargs):
    """A flushed database (a transactional test, `yinli flush`) gets definition v1 and the rates
    back: the data migration that seeds them runs only once, at migrate."""
    if getattr(sender, "label", None) != "demo":  # the last app: every table exists by now
        return
    from .models import ConversionRate, Definition

    if Definition.objects.using(using).exists() and ConversionRate.objects.using(using).exists():
        return
    migration = import_module("yinli.stats.migrations.0002_seed_definition_v1_and_rates")
    migration.seed(apps, None)

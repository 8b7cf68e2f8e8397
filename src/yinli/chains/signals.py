"""Signal receivers of the chains app."""

from __future__ import annotations

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def load_chain_data(sender, using="default", **kwargs):
    """A new database gets the GB/T 4754 table and the shipped chains (two cheap bulk loads)."""
    if getattr(sender, "label", None) != "demo":  # the last app: every table exists by now
        return
    from .loading import load_chains, load_industry_classes
    from .models import Chain, IndustryClass

    if not IndustryClass.objects.using(using).exists():
        load_industry_classes()
    if not Chain.all_objects.using(using).exists():
        load_chains()

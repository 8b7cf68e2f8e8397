"""Signal receivers of the referrals app."""

from __future__ import annotations

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def load_default_scorecard(sender, using="default", **kwargs):
    """A new (or flushed) database gets the default scorecard (yinli.referrals.defaults)."""
    if getattr(sender, "label", None) != "referrals":
        return
    from .defaults import create_default_scorecard

    create_default_scorecard(using)

"""Signal receivers of the followup app."""

from __future__ import annotations

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def load_defaults(sender, using="default", **kwargs):
    """A new (or flushed) database gets the default alert rules and permit templates."""
    if getattr(sender, "label", None) != "followup":
        return
    from .defaults import create_defaults

    create_defaults(using)

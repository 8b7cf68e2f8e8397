"""Signal receivers of the core app."""

from __future__ import annotations

from django.db.models.signals import post_migrate
from django.dispatch import receiver

DEFAULT_CHANNELS = [
    ("station", "驻点招商"),
    ("business", "以商引商"),
    ("commissioned", "委托招商"),
    ("agency", "中介招商"),
    ("event", "活动招商"),
    ("online", "网络招商"),
    ("other", "其他"),
]


@receiver(post_migrate)
def load_reference_data(sender, using="default", **kwargs):
    """A new database gets the region table, the region groups and the channels at once."""
    if getattr(sender, "label", None) != "demo":  # the last app: every table exists by now
        return
    from yinli.fieldwork.models import Channel

    from .models import Region
    from .regions import load_region_groups, load_regions

    if not Region.objects.using(using).exists():
        load_regions()
        load_region_groups()
    if not Channel.objects.using(using).exists():
        Channel.objects.using(using).bulk_create(
            Channel(code=code, name=name, sort_order=i)
            for i, (code, name) in enumerate(DEFAULT_CHANNELS)
        )

"""The demo city's marker (every page of the demo city says 演示数据) and its logins."""

from __future__ import annotations

from django.core.cache import cache

DEMO_MARKER_KEY = "yinli.demo.marker"


def is_demo_city() -> bool:
    from yinli.core.models import OrgUnit

    value = cache.get(DEMO_MARKER_KEY)
    if value is None:
        value = OrgUnit.objects.filter(code="demo-city").exists()
        cache.set(DEMO_MARKER_KEY, value, 60)
    return value


def remove_demo_logins() -> list[str]:
    """Deactivate the demo logins (their password is public); returns the user names changed."""
    from django.contrib.auth import get_user_model

    from .accounts import DEMO_USERNAMES

    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES, is_active=True)
    names = sorted(users.values_list("username", flat=True))
    users.update(is_active=False)
    return names

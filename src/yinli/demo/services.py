"""The demo city's marker: every page of the demo city says 演示数据."""

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

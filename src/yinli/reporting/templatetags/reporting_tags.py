"""Showing a report's stored values: choice codes as their labels, amounts as numbers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def _choices():
    from yinli.projects.models import Category, Kind, Stage, Status

    return {"stage": Stage, "status": Status, "category": Category, "kind": Kind}


@register.filter
def shown(value, name):
    """A snapshot value of field `name` as a reader wants it."""
    if value in (None, ""):
        return "—"
    choices = _choices().get(name)
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
            return value
    if name in ("total_investment", "foreign_investment"):
        try:
            return f"{Decimal(value):,.2f}".rstrip("0").rstrip(".")
        except InvalidOperation:
            return value
    return value


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None

"""Showing the dashboard's figures: numbers as the report rounded them, changes with their sign."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _number(value) -> str:
    """1158.8; 200 (not 200.0); '—' when there is no figure."""
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:,.4f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return f"{value:,}" if isinstance(value, int) else str(value)


@register.filter
def figure(value) -> str:
    return _number(value)


@register.filter
def change(value):
    """A change in percent with its sign and colour: +20.8% / −3.2% / 0% / — (no base)."""
    if value is None:
        return mark_safe('<span class="change change-none">—</span>')
    if value > 0:
        return format_html('<span class="change change-up">+{}%</span>', _number(value))
    if value < 0:
        return format_html('<span class="change change-down">−{}%</span>', _number(-value))
    return mark_safe('<span class="change change-flat">0%</span>')

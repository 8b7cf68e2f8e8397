"""Template helpers of the import pages: page links that keep the other parameters, badges."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

BATCH_COLOURS = {
    "running": "info",
    "committed": "success",
    "partial": "warning",
    "failed": "danger",
    "undone": "secondary",
}
ACTION_COLOURS = {
    "create": "success",
    "update": "primary",
    "unchanged": "secondary",
    "error": "danger",
    "held": "warning",
}


@register.simple_tag(takes_context=True)
def page_url(context, param, number, anchor=""):
    """The current query string with ``param`` set to ``number`` (then ``#anchor``)."""
    params = context["request"].GET.copy()
    params[param] = number
    return f"?{params.urlencode()}" + (f"#{anchor}" if anchor else "")


@register.filter
def batch_badge(batch):
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        BATCH_COLOURS.get(batch.status, "secondary"),
        batch.get_status_display(),
    )


@register.filter
def action_badge(action):
    labels = {
        "create": _("create"),
        "update": _("update"),
        "unchanged": _("unchanged"),
        "error": _("error"),
        "held": _("held for a decision"),
    }
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        ACTION_COLOURS.get(action, "secondary"),
        labels.get(action, action),
    )


@register.filter
def kind_label(batch):
    return {"projects": _("Project ledger"), "fai": _("入库 list")}.get(batch.kind, batch.kind)

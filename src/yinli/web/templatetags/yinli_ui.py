"""Template helpers shared by every page: amounts, stages, regions, query strings."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from yinli.web.money import money as _money
from yinli.web.money import unit_label, user_unit

register = template.Library()

STAGE_COLOURS = {
    "lead": "secondary",
    "negotiating": "info",
    "signed": "primary",
    "registered": "primary",
    "started": "warning",
    "completed": "warning",
    "producing": "success",
    "full": "success",
}
STATUS_COLOURS = {"active": "success", "paused": "warning", "lost": "danger", "terminated": "dark"}


@register.simple_tag(takes_context=True)
def amount(context, value, currency="CNY"):
    """An amount held in 万, shown in the unit the reader chose (万元 or 亿元)."""
    request = context.get("request")
    return _money(value, user_unit(getattr(request, "user", None)), currency=currency)


@register.simple_tag(takes_context=True)
def amount_unit_label(context, currency="CNY"):
    request = context.get("request")
    return unit_label(user_unit(getattr(request, "user", None)), currency)


@register.filter
def stage_badge(project_or_stage):
    stage = getattr(project_or_stage, "stage", project_or_stage)
    label = (
        project_or_stage.get_stage_display()
        if hasattr(project_or_stage, "get_stage_display")
        else stage
    )
    return format_html(
        '<span class="badge text-bg-{} stage-badge">{}</span>',
        STAGE_COLOURS.get(stage, "secondary"),
        label,
    )


@register.filter
def status_badge(project):
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        STATUS_COLOURS.get(project.status, "secondary"),
        project.get_status_display(),
    )


@register.filter
def region_name(region):
    return region.full_name if region is not None else "—"


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None or '' removes one)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def dash(value):
    """'—' for an empty value."""
    return "—" if value in (None, "") else value


@register.filter
def label(instance, name):
    """The (translated) label of a model field: {{ project|label:"fai_code" }}."""
    return instance._meta.get_field(name).verbose_name

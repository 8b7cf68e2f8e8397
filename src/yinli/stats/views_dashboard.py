"""The dashboard (驾驶舱): the page with its tiles, and one small JSON endpoint per chart panel.

The page itself computes nothing: it renders the pickers and a placeholder for each part, so it
paints at once; the headline tiles (`stats:tiles`, an HTML fragment) and each chart panel
(`stats:panel`, JSON) are then fetched on their own, so one slow part never holds the page.
Without JavaScript a link (in <noscript>) asks for the page with the tiles in it
(`?tiles=inline`), as it was before they loaded on their own.
Both read the period, scope and definition the same way (dashboard.read_selection), and every
figure goes through the scoping helper via the one selector.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import dashboard
from .models import Definition


@require_GET
def index(request):
    user = request.user
    selection = dashboard.read_selection(user, request.GET)
    ctx = selection.context(user)
    query = urlencode(selection.query())
    # ?tiles=inline: the tiles on the page itself (the way in without JavaScript).
    inline = request.GET.get("tiles") == "inline"
    keep = {"tiles": "inline"} if inline else {}
    panels = [
        {
            "name": panel.name,
            "title": panel.title,
            "wide": panel.wide,
            "note": panel.note,
            "url": reverse("stats:panel", args=[panel.name]) + "?" + query,
        }
        for panel in dashboard.PANELS.values()
    ]
    return render(
        request,
        "stats/dashboard.html",
        {
            "selection": selection,
            "tiles": dashboard.headline(ctx) if inline else None,
            "tiles_url": reverse("stats:tiles") + "?" + query,
            "tiles_inline_url": "?" + urlencode({**selection.query(), "tiles": "inline"}),
            "period_label": ctx.period.label(ctx.words.get("period")),
            "previous_label": ctx.previous.label(ctx.words.get("period")),
            "definition_label": dashboard.definition_label(selection.definition),
            "districts": dashboard.districts_for(user),
            "definitions": Definition.objects.order_by("-version"),
            "panels": panels,
            "presets": [
                {
                    "code": preset.code,
                    "label": preset.short_label(ctx.words.get("period")),
                    "url": "?" + urlencode({**selection.query(), "period": preset.code, **keep}),
                    "active": preset.code == selection.period.code,
                }
                for preset in dashboard.period_presets(selection.period)
            ],
            "strings": chart_strings(),
        },
    )


@require_GET
def tiles(request):
    """The headline tiles as an HTML fragment (dashboard.js puts it in the page)."""
    selection = dashboard.read_selection(request.user, request.GET)
    ctx = selection.context(request.user)
    return render(request, "stats/_tiles.html", {"tiles": dashboard.headline(ctx)})


@require_GET
def panel(request, name: str):
    if name not in dashboard.PANELS:
        raise Http404
    selection = dashboard.read_selection(request.user, request.GET)
    if selection.errors:
        return JsonResponse({"errors": selection.errors}, status=400)
    data = dashboard.panel_data(name, selection.context(request.user))
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def chart_strings() -> dict[str, str]:
    """The words the chart script shows (the catalogue translates them here)."""
    return {
        "count": _("Projects"),
        "investment": _("Investment (100 million yuan)"),
        "share": _("Share"),
        "rate": _("Rate (%)"),
        "empty": _("No projects counted."),
        "failed": _("This panel could not be loaded."),
        "longitude": _("Longitude"),
        "latitude": _("Latitude"),
        "domestic": _("In China"),
        "worldwide": _("With abroad"),
        "apart": _("Outside the city and local"),
        "leads": _("Leads entered in the period"),
        "converted": _("signed since"),
        "median_days": _("Median days"),
        "lead_to_signed": _("lead to signing"),
        "signed_to_started": _("signing to start of construction"),
        "started_to_producing": _("start of construction to production"),
        "without_coordinates": _("sources without coordinates"),
        "window": _("Window"),
        "more_rows": _("Showing the first %(shown)s of %(total)s."),
        "unit_projects": _("projects"),
        "unit_yi": _("100 million yuan"),
    }

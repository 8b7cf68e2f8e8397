"""`{% load referrals %}{% lead_referrals project %}`: the lead's referrals, evaluations and overdue
responses, as the user may see them (nothing when there are none)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from yinli.referrals import selectors

register = template.Library()


@register.inclusion_tag("referrals/_lead_card.html", takes_context=True)
def lead_referrals(context, project):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or project is None:
        return {"targets": [], "evaluations": [], "overdue": []}
    overview = selectors.lead_overview(user=user, lead=project, today=selectors.reference_day())
    return {"lead": project, **overview}


@register.filter
def plain(value):
    """A Decimal as written, without trailing zeros: 1.2000 → 1.2, 300.0000 → 300."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return f"{number.normalize():f}"

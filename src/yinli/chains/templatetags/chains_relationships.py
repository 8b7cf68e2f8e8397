"""{% company_relationships company %}: the relationships card on a company page."""

from __future__ import annotations

from django import template

from yinli.chains import relationships
from yinli.chains.targeting_forms import RelationshipForm

register = template.Library()


@register.inclusion_tag("chains/_company_relationships.html", takes_context=True)
def company_relationships(context, company):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "rows": relationships.company_relationships(company=company),
        "may_enter": relationships.may_enter_relationships(user),
        "rel_form": RelationshipForm(),
        "fixed_company": company,
        "next": request.get_full_path() if request else "",
    }

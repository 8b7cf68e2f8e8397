"""``{% export_menu %}``: the project list's export menu (format × template × unit), carrying the
list's current filter to ``ledger:export``."""

from django import template

from yinli.web.money import user_unit

from ..export import STANDARD, STANDARD_TITLE
from ..export_views import EXPORT_KEYS
from ..models import ExportTemplate

register = template.Library()


@register.inclusion_tag("ledger/_export_menu.html", takes_context=True)
def export_menu(context):
    request = context["request"]
    carried = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in EXPORT_KEYS and key != "deleted"
        for value in values
    ]
    templates = list(ExportTemplate.objects.all())  # one query; the list page counts them
    return {
        "carried": carried,
        # The standard template is built in (the export makes it again if it went missing).
        "templates": templates or [ExportTemplate(name=STANDARD, title=STANDARD_TITLE)],
        "unit": user_unit(request.user),
    }

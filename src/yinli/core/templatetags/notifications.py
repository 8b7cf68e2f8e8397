"""The bell in the navigation: `{% notification_bell %}` shows the unread count and links to the list."""

from django import template

from yinli.core.notifications import unread_count

register = template.Library()


@register.inclusion_tag("core/_bell.html", takes_context=True)
def notification_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    count = unread_count(user) if user is not None and user.is_authenticated else 0
    return {"count": count}

"""The notifications page: the user's own and her unit's, newest first; marking them read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import notifications


def notification_list(request):
    queryset = notifications.notifications_for(request.user)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications.html",
        {"page": page, "unread": queryset.filter(read_at__isnull=True).count()},
    )


@require_POST
def notification_read(request):
    ids = request.POST.getlist("id")
    notifications.mark_read(
        user=request.user, ids=[int(i) for i in ids if i.isdigit()] if ids else None
    )
    return redirect("notifications:list")

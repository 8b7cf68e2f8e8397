"""Who is calling: a bearer token (scripts, other systems) or the browser's session (our pages).

A bearer token wins when the request carries an Authorization header; the session is only
looked at when it does not, so a script with a bad token gets 401, never a CSRF complaint.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from yinli.core.models import ApiToken

# Writing last_used_at on every call would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer TOKEN`, the token from `yinli token USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str):
        token = token.strip()
        if not token:
            return None
        found = ApiToken.objects.select_related("user", "user__org_unit").filter(key=token).first()
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        # Services and the change history read request.user.
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """A signed-in browser session, so that pages can call the API; unsafe methods need CSRF."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        # Only the session matters here (the middleware has already read the cookie).
        return None

    def authenticate(self, request: HttpRequest, key):
        if "authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return user


bearer_auth = BearerTokenAuth()
session_auth = SessionAuth()
API_AUTH = [bearer_auth, session_auth]

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class LoginRequiredMiddleware:
    """Every page needs a login, except the login page, static files, health and the API.

    The API authenticates with its own bearer tokens (yinli.api) and answers 401 itself.
    """

    OPEN_PREFIXES = ("/static/", "/api/", "/accounts/login/", "/admin/login/", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not request.user.is_authenticated and not path.startswith(self.OPEN_PREFIXES):
            return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.get_full_path()}")
        return self.get_response(request)

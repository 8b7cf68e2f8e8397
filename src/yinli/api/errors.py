"""One error shape for the whole API, in the language of the request (Chinese by default).

- 401 `{"detail": …}`: no token, a bad token, or an inactive user;
- 403 `{"detail": …}`: the record is visible but this user may not change it;
- 404 `{"detail": …}`: missing, or outside the user's scope (never 403: that would leak it);
- 409 `{"detail": …, "current_version": n}`: the write was based on a stale version;
- 422 `{"detail": [messages], "fields": {field: [messages]}}`: the input is wrong. Each message
  in `detail` starts with the field it is about; `fields` uses the names of the request body.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from yinli.core.services import PermissionDeniedError, StaleWriteError

logger = logging.getLogger("yinli.api")

# Model field → the name a client uses in the request body.
API_FIELD_NAMES = {
    "total_investment": "total_investment_wan",
    "expected_output": "expected_output_wan",
    "expected_tax": "expected_tax_wan",
    "registered_capital": "registered_capital_wan",
    "status_reason": "reason",
}


def _field_message(field: str, message: str) -> str:
    return _("%(field)s: %(message)s") % {"field": field, "message": message}


def validation_payload(exc: ValidationError) -> dict:
    detail: list[str] = []
    fields: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            messages = [message for error in errors for message in error.messages]
            if name == NON_FIELD_ERRORS:
                detail.extend(messages)
                continue
            field = API_FIELD_NAMES.get(name, name)
            fields.setdefault(field, []).extend(messages)
            detail.extend(_field_message(field, message) for message in messages)
    else:
        detail.extend(exc.messages)
    return {"detail": detail, "fields": fields}


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _schema_message(error: dict) -> str:
    """Pydantic speaks English; say the usual cases in the user's language, naming the value."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = _shown(error.get("input", ""))
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind.startswith("int_"):
        return _('"%(value)s" is not a whole number.') % {"value": value}
    if kind.startswith(("float_", "decimal_")):
        return _('"%(value)s" is not a number.') % {"value": value}
    if kind.startswith(("date_", "datetime_")):
        return _('"%(value)s" is not a date (write it as 2025-03-12).') % {"value": value}
    if kind.startswith("bool_"):
        return _('"%(value)s" is neither true nor false.') % {"value": value}
    if kind in ("string_type", "string_too_long"):
        if kind == "string_too_long":
            return _("The text is longer than %(limit)s characters.") % {
                "limit": ctx.get("max_length")
            }
        return _('"%(value)s" is not text.') % {"value": value}
    if kind in ("greater_than_equal", "greater_than"):
        return _('"%(value)s" is below the smallest allowed value %(limit)s.') % {
            "value": value,
            "limit": ctx.get("ge", ctx.get("gt")),
        }
    if kind in ("less_than_equal", "less_than"):
        return _('"%(value)s" is above the largest allowed value %(limit)s.') % {
            "value": value,
            "limit": ctx.get("le", ctx.get("lt")),
        }
    if kind in ("literal_error", "enum"):
        return _('"%(value)s" is not one of %(expected)s.') % {
            "value": value,
            "expected": ctx.get("expected", ""),
        }
    if kind == "list_type":
        return _("Give a list.")
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return _("Give a JSON object.")
    return error.get("msg", "")


# Where ninja says an input came from; the next element names the view's parameter
# (for a body or a schema of query parameters), which a client never sees.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _schema_field(loc: list) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in ("payload", "filters", "query", "paging"):
        parts = parts[1:]
    return parts[0] if parts else ""


def schema_validation_payload(exc: SchemaValidationError) -> dict:
    detail: list[str] = []
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        field = _schema_field(list(error.get("loc", ())))
        message = _schema_message(error)
        if not field:
            if message not in detail:
                detail.append(message)
            continue
        # A union (an id or a code) reports once per member: say it once.
        if message in fields.get(field, []):
            continue
        fields.setdefault(field, []).append(message)
        detail.append(_field_message(field, message))
    return {"detail": detail, "fields": fields}


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, data: dict, status: int) -> HttpResponse:
        return api.create_response(request, data, status=status)

    def on_stale(request, exc: StaleWriteError):
        return respond(
            request, {"detail": exc.messages[0], "current_version": exc.current_version}, 409
        )

    def on_forbidden(request, exc: PermissionDeniedError):
        return respond(request, {"detail": " ".join(exc.messages)}, 403)

    def on_django_forbidden(request, exc: PermissionDenied):
        return respond(request, {"detail": str(exc) or _("You may not do this.")}, 403)

    def on_invalid(request, exc: ValidationError):
        return respond(request, validation_payload(exc), 422)

    def on_schema_invalid(request, exc: SchemaValidationError):
        return respond(request, schema_validation_payload(exc), 422)

    def on_unauthenticated(request, exc: AuthenticationError):
        response = respond(
            request,
            {
                "detail": _(
                    'Sign in or send "Authorization: Bearer TOKEN" (the command '
                    "`yinli token USERNAME` prints a user's token)."
                )
            },
            401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="yinli"'
        return response

    def on_not_found(request, exc: Http404):
        return respond(request, {"detail": _("Not found.")}, 404)

    def on_http_error(request, exc: HttpError):
        return respond(request, {"detail": str(exc)}, exc.status_code)

    def on_crash(request, exc: Exception):
        if settings.DEBUG:
            raise exc  # Django's debug page
        logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, {"detail": _("Internal error; it has been logged.")}, 500)

    api.add_exception_handler(StaleWriteError, on_stale)
    api.add_exception_handler(PermissionDeniedError, on_forbidden)
    api.add_exception_handler(PermissionDenied, on_django_forbidden)
    api.add_exception_handler(ValidationError, on_invalid)
    api.add_exception_handler(SchemaValidationError, on_schema_invalid)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Exception, on_crash)

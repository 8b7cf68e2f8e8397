"""The REST API, version 1, under /api/v1/ (django-ninja).

Authentication: `Authorization: Bearer TOKEN` (`yinli token USERNAME` prints it) or the browser's
session (with CSRF on unsafe methods). Errors: see yinli.api.errors. Lists: see schemas.Page.
The docs page (/api/v1/docs) uses the Swagger UI files ninja ships, served from our own static
files: the product runs offline, nothing comes from a CDN.
"""

from __future__ import annotations

import json
from decimal import Decimal
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from django.db import DatabaseError, connection
from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Swagger
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.responses import Status as HttpStatus

from . import (
    chains,
    companies,
    duplicates,
    errors,
    fieldwork,
    followup,
    projects,
    reference,
    referrals,
    reporting,
    stats,
    supervision,
    targets,
)
from .auth import API_AUTH
from .schemas import decimal_to_number

DESCRIPTION = """\
The investment-attraction ledger of the city, as JSON.

* **Authentication**: `Authorization: Bearer TOKEN` (an administrator runs
  `yinli token USERNAME`), or a signed-in browser session (send `X-CSRFToken` on writes).
* **Scope**: every answer holds only what the user may see; a record outside it is 404.
* **Writes** carry the `version` they are based on; a stale one is refused with 409 and
  `current_version`.
* **Errors**: `{"detail": …}`; invalid input is 422 with `{"detail": [messages],
  "fields": {field: [messages]}}`, in Chinese unless the request asks otherwise
  (`Accept-Language`).
* **Lists** answer `{"count", "page", "page_size", "pages", "items"}`; `?page=&page_size=`
  (at most 500).
* **Numbers**: amounts are JSON numbers, in 万元 unless the field says otherwise.

Within v1 changes only add: no path, method or response field is removed or renamed.
"""


def yinli_version() -> str:
    try:
        return package_version("yinli")
    except PackageNotFoundError:
        return "unknown"


class DecimalAsNumberEncoder(NinjaJSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return decimal_to_number(o)
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = DecimalAsNumberEncoder
    json_dumps_params = {"ensure_ascii": False}


class YinliAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # The view's name ("project_list"), stable across module moves.
        return operation.view_func.__name__

    def validation_error_from_error_contexts(self, error_contexts):
        # ninja drops the value that failed; our messages name it (yinli.api.errors).
        error = super().validation_error_from_error_contexts(error_contexts)
        inputs = [
            item.get("input")
            for context in error_contexts
            for item in context.pydantic_validation_error.errors(include_url=False)
        ]
        for item, value in zip(error.errors, inputs, strict=False):
            item["input"] = value
        return error


api = YinliAPI(
    title="Yinli API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-1",
    auth=API_AUTH,
    renderer=Renderer(),
    # Swagger UI would ask validator.swagger.io about the schema: no call home.
    docs=Swagger(settings={"validatorUrl": None}),
)
errors.install(api)


class Health(Schema):
    status: str
    database: str
    version: str


@api.get("/health", auth=None, response={200: Health, 503: Health}, tags=["system"])
def health(request: HttpRequest):
    """Liveness for load balancers and monitoring: no authentication; 503 without a database."""
    body = {"status": "ok", "database": connection.vendor, "version": yinli_version()}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        body["status"] = "unavailable"
        return HttpStatus(503, body)
    return body


api.add_router("/", projects.router)
# Before companies: its /companies/match must not be taken for /companies/{company_id}.
api.add_router("/", duplicates.router)
api.add_router("/", companies.router)
api.add_router("/", reference.router)
api.add_router("/", stats.router)
api.add_router("/", fieldwork.router)
api.add_router("/", referrals.router)
api.add_router("/", chains.router)
api.add_router("/", reporting.router)
api.add_router("/", targets.router)
api.add_router("/", followup.router)
api.add_router("/", supervision.router)


def openapi_schema() -> dict:
    """The schema as the API serves it, in plain JSON types."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=DecimalAsNumberEncoder))

"""An API client per persona: Django's test Client with `Authorization: Bearer TOKEN`."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yinli.core.models import ApiToken

BASE = "/api/v1"


class ApiClient:
    """JSON in, JSON out, under /api/v1, as one user (or nobody)."""

    def __init__(self, user=None, *, token: str | None = None, **headers):
        if user is not None and token is None:
            token = ApiToken.for_user(user).key
        if token is not None:
            headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {token}")
        self.client = Client(**headers)
        self.user = user

    def _url(self, path: str) -> str:
        return path if path.startswith(BASE) else BASE + path

    def get(self, path: str, params=None, **extra):
        return self.client.get(self._url(path), params or {}, **extra)

    def post(self, path: str, body=None, **extra):
        return self.client.post(
            self._url(path), json.dumps(body or {}), content_type="application/json", **extra
        )

    def patch(self, path: str, body=None, **extra):
        return self.client.patch(
            self._url(path), json.dumps(body or {}), content_type="application/json", **extra
        )

    def delete(self, path: str, params=None, **extra):
        url = self._url(path)
        if params:
            url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.delete(url, **extra)


@pytest.fixture
def api_as(city):
    """`api_as(city.jingkou_editor).get("/projects")`."""

    def make(user, **headers) -> ApiClient:
        return ApiClient(user, **headers)

    return make


@pytest.fixture
def anonymous(db) -> ApiClient:
    return ApiClient()

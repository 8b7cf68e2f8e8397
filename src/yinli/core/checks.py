"""System checks: `yinli check --deploy` refuses what would break a server install."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import connections
from django.db.utils import OperationalError


@register(Tags.database, deploy=True)
def check_postgres_ctype(app_configs=None, databases=None, **kwargs):
    """PostgreSQL must run with a UTF-8 LC_CTYPE, or trigram search finds nothing in Chinese."""
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT datctype, pg_encoding_to_char(encoding) FROM pg_database "
                    "WHERE datname = current_database()"
                )
                ctype, encoding = cursor.fetchone()
        except OperationalError as exc:  # pragma: no cover - reported by Django's own checks
            errors.append(Error(f"Cannot reach the database: {exc}", id="yinli.E002"))
            continue
        normalized = ctype.lower().replace("-", "")
        if encoding != "UTF8" or not normalized.endswith("utf8"):
            errors.append(
                Error(
                    f"The PostgreSQL database has LC_CTYPE {ctype!r} and encoding {encoding!r}; "
                    "Yinli needs UTF-8 for both, or trigram search finds nothing in Chinese.",
                    hint="Create the database with: initdb -E UTF8 --locale=C.UTF-8 "
                    "(or CREATE DATABASE … ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' TEMPLATE template0).",
                    id="yinli.E001",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def check_demo_logins(app_configs=None, **kwargs):
    """The demo logins share a published password; a server must not keep them."""
    from django.contrib.auth import get_user_model

    from yinli.demo.accounts import DEMO_USERNAMES

    try:
        present = list(
            get_user_model()
            .objects.filter(username__in=DEMO_USERNAMES, is_active=True)
            .values_list("username", flat=True)
        )
    except Exception:  # the tables may not exist yet (before migrate)
        return []
    if present:
        return [
            Warning(
                "The demo logins exist: " + ", ".join(sorted(present)) + ". Their password is "
                "public; remove them (yinli demo --remove-logins) before real use.",
                id="yinli.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_secret_key_source(app_configs=None, **kwargs):
    if settings.EMBEDDED:
        return [
            Warning(
                "Yinli runs on the embedded SQLite database with a generated secret key; "
                "a server should set YINLI_DATABASE_URL and YINLI_SECRET_KEY.",
                id="yinli.W002",
            )
        ]
    return []

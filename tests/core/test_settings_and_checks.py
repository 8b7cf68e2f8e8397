"""Settings come from the environment; `yinli check --deploy` passes in production and refuses a
PostgreSQL database without UTF-8.

Settings are read once per process, so most tests here start `python -m yinli.cli` (or a short
`python -c`) in a subprocess with a chosen environment, none of the caller's YINLI_* variables.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from yinli.core.checks import check_demo_logins

PRODUCTION = {
    "YINLI_DEBUG": "0",
    "YINLI_ALLOWED_HOSTS": "yinli.example.gov.cn",
    "YINLI_HTTPS": "1",
    "YINLI_HSTS_SECONDS": "31536000",
    "YINLI_SSL_REDIRECT": "1",
}

SETUP = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'yinli.settings'); django.setup(); "


def clean_env(tmp_path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YINLI_", "DJANGO_"))}
    env["YINLI_VAR_DIR"] = str(tmp_path / "var")
    env.update(values)
    return env


def python(code: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SETUP + code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def yinli(*args: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "yinli.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


def suite_database_url(name: str | None = None) -> str:
    """A URL for the PostgreSQL server the suite runs on (its test database unless `name`)."""
    s = connection.settings_dict
    user = quote(s["USER"] or "", safe="")
    password = quote(s["PASSWORD"] or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name or s['NAME']}"


def test_server_database_requires_a_secret_key(tmp_path):
    env = clean_env(tmp_path, YINLI_DATABASE_URL="postgres://yinli:secret@127.0.0.1:1/yinli")
    result = python("print('started')", env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "YINLI_SECRET_KEY must be set" in result.stderr
    assert "started" not in result.stdout


def test_embedded_default_is_sqlite_in_wal_mode_with_a_generated_key(tmp_path):
    env = clean_env(tmp_path)
    result = python(
        "from django.conf import settings; from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
        "print(connection.vendor, settings.DATABASES['default']['NAME'], c.fetchone()[0])",
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    vendor, name, mode = result.stdout.split()
    assert vendor == "sqlite"
    assert name == str(tmp_path / "var" / "yinli.sqlite3")
    assert mode == "wal"
    key = tmp_path / "var" / "secret_key"
    assert len(key.read_text().strip()) >= 50
    assert key.stat().st_mode & 0o777 == 0o600
    # A second start reuses the key (sessions survive a restart).
    again = python("from django.conf import settings; print(settings.SECRET_KEY)", env, tmp_path)
    assert again.stdout.strip() == key.read_text().strip()


def test_suite_sqlite_connections_use_wal():
    if connection.vendor != "sqlite":
        pytest.skip("the suite runs on PostgreSQL")
    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]


def test_settings_read_from_the_environment(tmp_path):
    env = clean_env(
        tmp_path,
        YINLI_DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}",
        YINLI_SECRET_KEY="k" * 60,
        YINLI_DEBUG="1",
        YINLI_ALLOWED_HOSTS="yinli.example.gov.cn, 10.1.2.3",
        YINLI_CSRF_TRUSTED_ORIGINS="https://yinli.example.gov.cn",
        YINLI_HOME_REGION="320100",
        YINLI_HTTPS="1",
        YINLI_HSTS_SECONDS="600",
        YINLI_SSL_REDIRECT="1",
        YINLI_BEHIND_PROXY="1",
        YINLI_LOGIN_FAILURE_LIMIT="3",
        YINLI_STATIC_ROOT=str(tmp_path / "collected"),
    )
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'engine': s.DATABASES['default']['ENGINE'], 'db': str(s.DATABASES['default']['NAME']),"
        "'key': s.SECRET_KEY, 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS,"
        "'csrf': s.CSRF_TRUSTED_ORIGINS, 'home': s.HOME_REGION, 'tz': s.TIME_ZONE,"
        "'use_tz': s.USE_TZ, 'lang': s.LANGUAGE_CODE, 'secure_cookie': s.SESSION_COOKIE_SECURE,"
        "'csrf_cookie': s.CSRF_COOKIE_SECURE, 'hsts': s.SECURE_HSTS_SECONDS,"
        "'redirect': s.SECURE_SSL_REDIRECT, 'proxy': list(s.SECURE_PROXY_SSL_HEADER),"
        "'axes': s.AXES_FAILURE_LIMIT, 'static_root': str(s.STATIC_ROOT),"
        "'whitenoise': 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE}))"
    )
    result = python(code, env, tmp_path)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got == {
        "engine": "django.db.backends.sqlite3",
        "db": str(tmp_path / "other.sqlite3"),
        "key": "k" * 60,
        "debug": True,
        "hosts": ["yinli.example.gov.cn", "10.1.2.3"],
        "csrf": ["https://yinli.example.gov.cn"],
        "home": "320100",
        "tz": "Asia/Shanghai",
        "use_tz": True,
        "lang": "zh-hans",
        "secure_cookie": True,
        "csrf_cookie": True,
        "hsts": 600,
        "redirect": True,
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "axes": 3,
        "static_root": str(tmp_path / "collected"),
        "whitenoise": True,
    }


@pytest.mark.django_db
def test_check_deploy_passes_with_production_settings(tmp_path):
    if connection.vendor == "postgresql":
        url = suite_database_url()  # the migrated test database: its LC_CTYPE is checked too
    else:
        url = f"sqlite:///{tmp_path / 'deploy.sqlite3'}"
    env = clean_env(
        tmp_path, YINLI_DATABASE_URL=url, YINLI_SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION
    )
    result = yinli(
        "check",
        "--deploy",
        "--database",
        "default",
        "--fail-level",
        "WARNING",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_on_the_embedded_database(tmp_path):
    result = yinli("check", "--deploy", env=clean_env(tmp_path, **PRODUCTION), cwd=tmp_path)
    assert "yinli.W002" in result.stdout + result.stderr


@pytest.mark.django_db
def test_demo_logins_warn_only_when_they_exist(django_user_model):
    assert check_demo_logins() == []
    django_user_model.objects.create_user(username="analyst", password="yinli-demo")
    assert [w.id for w in check_demo_logins()] == ["yinli.W001"]


def test_check_refuses_postgres_without_utf8(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the suite runs on SQLite")
    import psycopg

    s = connection.settings_dict
    name = f"yinli_ascii_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(
        host=s["HOST"] or "localhost",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )
    try:
        admin.execute(
            f"CREATE DATABASE {name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' "
            "TEMPLATE template0"
        )
        env = clean_env(
            tmp_path,
            YINLI_DATABASE_URL=suite_database_url(name),
            YINLI_SECRET_KEY=secrets.token_urlsafe(50),
            **PRODUCTION,
        )
        result = yinli("check", "--deploy", "--database", "default", env=env, cwd=tmp_path)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "yinli.E001" in result.stderr
        assert "LC_CTYPE 'C'" in result.stderr
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()

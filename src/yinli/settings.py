"""Yinli settings, read from the environment.

Safe defaults for a laptop (embedded SQLite under var/, a generated secret key); a server sets
YINLI_DATABASE_URL and YINLI_SECRET_KEY. See README.md for every variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout (or the directory the server is started from) holds var/ and node_modules/.
BASE_DIR = Path(os.environ.get("YINLI_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("YINLI_VAR_DIR", BASE_DIR / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("YINLI_DEBUG", False)

DEFAULT_SQLITE = VAR_DIR / "yinli.sqlite3"
DATABASE_URL = os.environ.get("YINLI_DATABASE_URL", "")
EMBEDDED = not DATABASE_URL

if EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DEFAULT_SQLITE),
            # WAL lets readers go on while one writer writes; the timeout lets a writer wait
            # for another rather than fail at once.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
else:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            }
        )
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The statistics' aggregates are short: compiling them with JIT cost 0.3–0.6 s each at a
        # million projects (bench/test_stats.py), more than it saved.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")


def _secret_key() -> str:
    key = os.environ.get("YINLI_SECRET_KEY")
    if key:
        return key
    if not EMBEDDED:
        raise ImproperlyConfigured(
            "YINLI_SECRET_KEY must be set when YINLI_DATABASE_URL points at a server database."
        )
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("YINLI_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("YINLI_CSRF_TRUSTED_ORIGINS")

# The home city: its projects' investors are 本地, not a source. Demo: 镇江市.
HOME_REGION = os.environ.get("YINLI_HOME_REGION", "321100")

# 首报首谈: a claim on a project lapses after this many months without progress (a stage change
# or a visit), counted from the last progress.
CLAIM_VALID_MONTHS = int(os.environ.get("YINLI_CLAIM_VALID_MONTHS", "6"))

# Field work: the distance estimate of a trip (great-circle × road factor) and how far a
# reported distance may stray from it (a share of the estimate) before it is flagged.
FIELDWORK_ROAD_FACTOR = os.environ.get("YINLI_FIELDWORK_ROAD_FACTOR", "1.3")
FIELDWORK_DISTANCE_TOLERANCE = os.environ.get("YINLI_FIELDWORK_DISTANCE_TOLERANCE", "0.3")

# Industry-chain targets (chains.targets): the region groups whose companies score the region
# bonus, by name or short name, comma-separated (core.RegionGroup; 长三角 = the Yangtze delta).
CHAINS_TARGET_REGION_GROUPS = os.environ.get("YINLI_CHAINS_TARGET_REGION_GROUPS", "长三角")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "ninja",  # its bundled Swagger UI files, so /api/v1/docs works offline
    "yinli.core",
    "yinli.companies",
    "yinli.projects",
    "yinli.fieldwork",
    "yinli.stats",
    "yinli.ledger",
    "yinli.referrals",
    "yinli.chains",
    "yinli.reporting",
    "yinli.targets",
    "yinli.followup",
    "yinli.supervision",
    "yinli.api",
    "yinli.web",
    "yinli.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "yinli.core.middleware.LoginRequiredMiddleware",
    # Last, so that a failed login is seen after authentication has run.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "yinli.urls"
WSGI_APPLICATION = "yinli.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yinli.web.context_processors.yinli",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("YINLI_STATIC_ROOT", VAR_DIR / "static"))
if EMBEDDED:
    # WhiteNoise looks at STATIC_ROOT at start-up even when it serves from the finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end assets come from the npm registry at build time (`make assets`), never a CDN.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("YINLI_COLLECTED_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the finders unless collectstatic has been run for a server.
WHITENOISE_USE_FINDERS = not env_bool("YINLI_COLLECTED_STATIC", False)
MEDIA_ROOT = Path(os.environ.get("YINLI_MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded documents (yinli.supervision): a folder outside every public URL, served only by a
# view that checks scope. Another backend (object storage) replaces STORAGES["documents"].
YINLI_DOCUMENT_DIR = Path(os.environ.get("YINLI_DOCUMENT_DIR", VAR_DIR / "documents"))
STORAGES["documents"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(YINLI_DOCUMENT_DIR), "base_url": None},
}
YINLI_DOCUMENT_MAX_MB = int(os.environ.get("YINLI_DOCUMENT_MAX_MB", "20"))
YINLI_DOCUMENT_TYPES = env_list("YINLI_DOCUMENT_TYPES", "pdf,doc,docx,xls,xlsx,ofd,jpg,jpeg,png")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Secure by default; a plain-HTTP intranet turns the cookie flags off with YINLI_INSECURE_COOKIES.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
_https = env_bool("YINLI_HTTPS", not DEBUG and not EMBEDDED)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = env_bool("YINLI_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("YINLI_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("YINLI_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("YINLI_HSTS_PRELOAD", False)
# The browsers' HSTS preload list is for public domains; an intranet or 政务外网 host has no use
# for it, so `check --deploy` does not nag about it (YINLI_HSTS_PRELOAD=1 opts in).
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env_bool("YINLI_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Failed logins: five tries per user name and address, then a 15-minute lock.
AXES_FAILURE_LIMIT = int(os.environ.get("YINLI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YINLI_LOG_LEVEL", "WARNING")},
}

# The demo city opens on its own reference date (DESIGN.md: 2025-08-10).
DEMO_REFERENCE_DATE = "2025-08-10"

# Referrals (引荐): days after the referral date within which a district acknowledges it,
# evaluates the lead and feeds back (yinli.referrals.models.deadline_days).
YINLI_REFERRAL_DEADLINES = {"acknowledge": 1, "evaluate": 3, "feedback": 7}

# Report cycle (报送): where a project signed in a month already accepted and locked (定版锁库)
# but entered later goes: "signing_month" (refused; a city admin corrects the locked month) or
# "reported_month" (let in, counted as reported in the district's first open month).
YINLI_LATE_ADDITIONS = os.environ.get("YINLI_LATE_ADDITIONS", "signing_month")

"""Settings for おくやみナビ: one file, configured from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.limits import MAX_BODY_BYTES

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default)
    if value not in ("0", "1"):
        raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}")
    return value == "1"


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", "0")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is not 1")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    # First, so that its admin/base_site.html (the sandbox banner) overrides the admin's own.
    "okuyami",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "procedures",
    "core",
    "okuyami.residents",
    "okuyami.precheck",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: one too large is refused by its Content-Length alone.
    "core.web.middleware.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.web.middleware.ApiEnglishMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "okuyami.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "okuyami.context_processors.okuyami",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Form fields past this raise RequestDataTooBig (uploaded files are bounded by the middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DJANGO_CONN_MAX_AGE", "0"),
        # A persistent connection broken by a database restart is replaced, not reused.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing at once; the test database is a
    # file too, so that tests with concurrent requests behave as in production.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Refuses nothing: Django tells it of every password change, and it revokes the API tokens.
    {"NAME": "core.staff.ApiTokensEndWithThePassword"},
]

LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "okuyami:login"
LOGIN_REDIRECT_URL = "okuyami:home"
LOGOUT_REDIRECT_URL = "okuyami:login"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# WhiteNoise serves `collectstatic`'s output (gzip and brotli beside each file). No manifest:
# file names stay as they are, which the PDF renderer's static-only fetcher relies on.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.web.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.web.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.web.pagination.ApiPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"public": os.environ.get("OKUYAMI_API_PUBLIC_RATE", "120/minute")},
    "EXCEPTION_HANDLER": "core.web.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "おくやみナビ API",
    "DESCRIPTION": "Public catalogs and evaluation (okuyami-catalog/1), and the counter's cases.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.web.openapi.add_error_responses",
        "core.web.openapi.require_version",
    ],
}

# Bereaved families' details must never reach the logs: only warnings and above,
# and request bodies are never logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"outage": {"()": "core.web.log_filters.OutageWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["outage"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- Shared counter terminals: sessions, logins, passwords ---------------------------------------

# Sessions are kept in the database, so every app server behind a load balancer shares them.
# A session ends after OKUYAMI_IDLE_MINUTES without a request (each request moves its expiry
# on) and when the browser closes.
OKUYAMI_IDLE_MINUTES = envint("OKUYAMI_IDLE_MINUTES", "15")
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = OKUYAMI_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes locks a user name out from one address after repeated failures (the counters of
# a town hall share one address, so never the address alone for one user name); an address is
# stopped after OKUYAMI_ADDRESS_FAILURE_LIMIT failures across every user name (core.lockouts).
# The operator and a municipality's 管理者 lift a lockout at once from /lockouts/. API tokens never
# go through authenticate(), so the API is not affected; failed attempts are kept in the database.
AUTHENTICATION_BACKENDS = [
    "okuyami.backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("OKUYAMI_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("OKUYAMI_LOCKOUT_MINUTES", "30"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "core.lockouts.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "okuyami.staff_views.locked_out"
OKUYAMI_ADDRESS_FAILURE_LIMIT = envint("OKUYAMI_ADDRESS_FAILURE_LIMIT", "20")

# An API token (POST /api/v1/token) lasts this many days; a password change revokes it at once.
OKUYAMI_TOKEN_DAYS = envint("OKUYAMI_TOKEN_DAYS", "90")

# --- Personal data and the trial sandbox ---------------------------------------------------------

# purge_cases erases a case's personal data this many days after it was finalised.
OKUYAMI_RETENTION_DAYS = envint("OKUYAMI_RETENTION_DAYS", "90")
# A trial instance: a banner on every screen and printed page; create_trial and reset_sandbox work.
OKUYAMI_SANDBOX = envbool("OKUYAMI_SANDBOX", "0")

# The resident extract (okuyami-residents/1) is erased this many days after its import unless
# a newer one replaces it (purge_cases and purge_residents).
OKUYAMI_RECORDS_DAYS = envint("OKUYAMI_RECORDS_DAYS", "7")
# A live lookup instead of (or besides) the extract: an HTTPS endpoint answering the case
# document for a 宛名番号 ({number} in the URL, else ?number=), with an optional bearer token.
OKUYAMI_RECORDS_URL = os.environ.get("OKUYAMI_RECORDS_URL", "")
OKUYAMI_RECORDS_TOKEN = os.environ.get("OKUYAMI_RECORDS_TOKEN", "")
OKUYAMI_RECORDS_TIMEOUT = envint("OKUYAMI_RECORDS_TIMEOUT", "5")
# Plain http:// to this machine (127.0.0.1, ::1, localhost) only: a local fake or a sidecar.
OKUYAMI_RECORDS_ALLOW_LOCAL_HTTP = envbool("OKUYAMI_RECORDS_ALLOW_LOCAL_HTTP", "0")

# --- The families' pre-check at home (okuyami.precheck) -------------------------------------------

# A 受付コード (the answers a family gives at home, handed to the counter) expires after this many
# days; purge_cases deletes it then.
OKUYAMI_PRECHECK_DAYS = envint("OKUYAMI_PRECHECK_DAYS", "14")
# The public pages' rate limits, counted in the database so that every app server shares them:
# name -> (requests, seconds), per client address (per staff user for "lookup", per municipality
# for "code_municipality"). OKUYAMI_PRECHECK_RATES overrides some, e.g. "pdf=60/600,code=5/3600".
PRECHECK_RATE_DEFAULTS = {
    "answer": (600, 600),  # answers posted from one address in 10 minutes
    "pdf": (30, 600),  # checklist PDFs (each is a fraction of a second of a worker)
    "code": (10, 3600),  # 受付コード issued to one address in an hour
    "code_municipality": (2000, 86400),  # 受付コード issued for one municipality in a day
    "lookup": (60, 3600),  # codes a counter user looks up in an hour (see okuyami/precheck/codes.py)
}


def envrates(name: str, defaults: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    rates = dict(defaults)
    for item in envlist(name, ""):
        scope, _, rate = item.partition("=")
        count, _, seconds = rate.partition("/")
        if scope.strip() not in defaults or not (count.strip().isdigit() and seconds.strip().isdigit()):
            raise ImproperlyConfigured(
                f"{name}: {item!r} must be NAME=COUNT/SECONDS with NAME one of {', '.join(defaults)}"
            )
        if int(seconds) < 1:
            raise ImproperlyConfigured(f"{name}: {item!r}: the window must be at least 1 second")
        rates[scope.strip()] = (int(count), int(seconds))
    return rates


OKUYAMI_PRECHECK_RATES = envrates("OKUYAMI_PRECHECK_RATES", PRECHECK_RATE_DEFAULTS)

# --- HTTPS and browser protections (`manage.py check --deploy` reports nothing) -------------------

# Behind a load balancer or proxy that ends TLS: trust its X-Forwarded-Proto and, for the
# lockout, its X-Forwarded-For (set DJANGO_BEHIND_PROXY=1 only when the proxy sets both).
BEHIND_PROXY = envbool("DJANGO_BEHIND_PROXY", "0")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_REDIRECT_EXEMPT = [r"^healthz"]  # load balancers check over plain HTTP
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", "0" if DEBUG else "1")
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", "1")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Content-Security-Policy (django-csp): scripts, styles and fonts from this site only, never
# inline. The API docs use drf-spectacular's split Swagger UI view for the same reason.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

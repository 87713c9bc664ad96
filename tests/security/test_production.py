"""Production settings, run in subprocesses with the environment a deployment sets.

With DJANGO_DEBUG off and DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL set,
`check --deploy` reports nothing, responses carry HSTS and the other protections, plain HTTP
is redirected except the load balancer's health check, and WhiteNoise serves the static files.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
HOST = "okuyami.example.jp"


def database_url(tmp_path: Path) -> str:
    """The suite's PostgreSQL test database when it runs on PostgreSQL, else a fresh SQLite file."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.postgresql":
        return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'production.sqlite3'}"


def production_env(tmp_path: Path, static_root: Path | None = None, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "OKUYAMI_")) and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SECRET_KEY="k3y-f0r-th3-pr0duct10n-ch3ck-" + "Zq8vX2mN7pL4wR9tY6uB1cE5" * 2,
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url(tmp_path),
        DJANGO_STATIC_ROOT=str(static_root or tmp_path / "static"),
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr.upper()


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY must be set" in result.stderr


# What a request sees under production settings, from the test client inside the subprocess.
PROBE = textwrap.dedent(
    """
    import json, os, sys
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client

    host = sys.argv[1]
    forwarded = sys.argv[2] == "1"
    client = Client(HTTP_HOST=host)
    def get(path, secure, **headers):
        if forwarded:
            headers["HTTP_X_FORWARDED_PROTO"] = "https" if secure else "http"
            secure = False
        r = client.get(path, secure=secure, **headers)
        return {"status": r.status_code, "headers": dict(r.headers),
                "cookies": {k: dict(v) for k, v in r.cookies.items()}}
    print(json.dumps({
        "health_http": get("/healthz", secure=False),
        "login_http": get("/login/", secure=False),
        "login_https": get("/login/", secure=True),
        "static": get("/static/okuyami/css/screen.css", secure=True, HTTP_ACCEPT_ENCODING="gzip"),
        "settings": {name: getattr(settings, name) for name in (
            "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
            "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_ENGINE", "SECURE_SSL_REDIRECT",
            "X_FRAME_OPTIONS", "SECURE_HSTS_SECONDS")},
        "proxy_header": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    }, default=str))
    """
)


# Compressing everything (18 MB of fonts, the admin's and Swagger UI's files) takes the better part
# of a minute; the deploy's collectstatic runs the same code on our own files in under a second.
NOT_COLLECTED = ("*.ttf", "admin", "rest_framework", "drf_spectacular_sidecar")


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """collectstatic's output for our own files, made and compressed as the deploy steps do."""
    root = tmp_path_factory.mktemp("static")
    ignored = [argument for pattern in NOT_COLLECTED for argument in ("-i", pattern)]
    collected = manage(production_env(root, root), "collectstatic", "--no-input", "-v", "0", *ignored)
    assert collected.returncode == 0, collected.stderr
    assert (root / "okuyami" / "css" / "screen.css.gz").is_file()
    return root


def probe(tmp_path: Path, static_root: Path, *, behind_proxy: bool) -> dict:
    env = production_env(tmp_path, static_root, DJANGO_BEHIND_PROXY="1" if behind_proxy else "0")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, HOST, "1" if behind_proxy else "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.django_db
@pytest.mark.parametrize("behind_proxy", [False, True], ids=["direct", "behind a load balancer"])
def test_production_responses_are_https_only_and_hardened(tmp_path, static_root, behind_proxy):
    seen = probe(tmp_path, static_root, behind_proxy=behind_proxy)
    assert seen["settings"] == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "SECURE_SSL_REDIRECT": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_HSTS_SECONDS": 31536000,
    }
    assert (seen["proxy_header"] is not None) == behind_proxy
    # The load balancer's health check answers over plain HTTP; every other page moves to HTTPS.
    assert seen["health_http"]["status"] == 200
    assert seen["login_http"]["status"] == 301
    assert seen["login_http"]["headers"]["Location"] == f"https://{HOST}/login/"
    login = seen["login_https"]
    assert login["status"] == 200
    headers = login["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert login["cookies"]["csrftoken"]["secure"] is True
    # WhiteNoise serves collectstatic's output, compressed.
    static = seen["static"]
    assert static["status"] == 200 and static["headers"]["Content-Type"].startswith("text/css")
    assert static["headers"].get("Content-Encoding") == "gzip"

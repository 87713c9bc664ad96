"""The app under gunicorn on loopback, as the API benchmark and the resilience checks run it.

Production settings (debug off) over plain HTTP: no TLS redirect, cookies without the
Secure flag, no HSTS; persistent database connections, as in production.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.django_setup import SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent


def environment(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        **extra,
    }


def prepare(env: dict[str, str]) -> None:
    """Migrate the database and import the sample city (999903), as the benchmarks serve it."""
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "import_catalog", "fixtures/catalogs/sample-city.json"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start(
    env: dict[str, str],
    port: int,
    *,
    workers: int = 2,
    timeout: int | None = None,
    error_log: str = "/dev/null",
) -> subprocess.Popen:
    """gunicorn in its own process group, returned once /healthz answers (database included)."""
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers)]
    if timeout is not None:
        command += ["--timeout", str(timeout)]
    command += ["--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "--error-logfile", error_log]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    if not wait_for(f"http://127.0.0.1:{port}/healthz", 20):
        stop(server)
        raise RuntimeError("gunicorn did not start")
    return server


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=10)


def wait_for(url: str, seconds: float) -> bool:
    """Whether `url` answers 200 within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.05)
    return False


def workers_cpu_seconds(server: subprocess.Popen) -> float:
    """The CPU time (user + system) gunicorn's workers have used so far: the children of `server`.

    Read beside a wrk run it gives the CPU time per request, which a busy host changes far less
    than it changes req/s (those measure the host's free cores as much as the app)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == server.pid:  # ppid; utime and stime are the 14th and 15th fields
            total += int(fields[11]) + int(fields[12])
    return total / tick

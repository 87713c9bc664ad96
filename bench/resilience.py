"""Resilience checks against a real gunicorn and a real PostgreSQL 15 (make resilience).

1. PostgreSQL restarted during a load run: requests answer 503 with a Japanese
   message (never 500), the app answers again within 5 s of the database coming
   back, and every answer the server acknowledged is in the database.
2. Two counters editing one case at once: one wins, the other sees 競合.
3. A double-submitted 受付 form creates one case.
4. A gunicorn worker killed under load is replaced, with at most the one request
   it had in flight failing.

Needs root (pg_ctlcluster) and the local cluster 15/main; bounded in time. Exits 1
on any failed check and writes bench/results/resilience.json.
"""

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

from bench.server import environment as server_environment  # noqa: E402
from bench.server import start as start_gunicorn  # noqa: E402
from bench.server import stop as stop_gunicorn  # noqa: E402

PORT = int(os.environ.get("RESILIENCE_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"
DB_NAME = "okuyami_resilience"
DB_URL = f"postgres://okuyami:okuyami@127.0.0.1:5432/{DB_NAME}"
CASES = 400
OUTAGE_SECONDS = 3
RECOVERY_LIMIT = 5.0
SETUP = """
from django.contrib.auth import get_user_model
from core.models import StaffMembership
from procedures.models import Municipality
city = Municipality.objects.get(code="999903")
for name in ("counter-a", "counter-b"):
    user = get_user_model().objects.create_user(name, password="resilience-pass-1")
    StaffMembership.objects.create(user=user, municipality=city, role="counter")
"""
CASE_FORM = {
    "deceased_name": "試験 太郎",
    "deceased_kana": "シケン タロウ",
    "deceased_birth_date": "1945-03-10",
    "death_date": "2026-11-20",
    "deceased_address": "見本県みほん市1-1",
    "visitor_name": "試験 花子",
    "visitor_kana": "シケン ハナコ",
    "visitor_relation": "配偶者",
    "visitor_phone": "000-000-0000",
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A logged-in counter user: cookies, CSRF, no redirects followed."""

    def __init__(self, username: str):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.get("/login/")
        status, _, _ = self.post("/login/", {"username": username, "password": "resilience-pass-1"})
        assert status == 302, f"login failed: {status}"

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path: str, data: dict | None = None, timeout: float = 5) -> tuple[int, str, str]:
        body = None
        headers = {"Referer": BASE + path}
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}, doseq=True).encode()
        request = urllib.request.Request(BASE + path, body, headers)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")

    def get(self, path: str):
        return self.request(path)

    def post(self, path: str, data: dict):
        return self.request(path, data)


def manage(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)


def psql(sql: str, database: str = DB_NAME) -> str:
    return subprocess.run(
        ["su", "postgres", "-c", f'psql -d {database} -qAtc "{sql}"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def database_restart(browser: Browser, cases: list[int]) -> dict:
    """Answer a question of a new case per request while PostgreSQL stops and starts."""
    acknowledged: list[int] = []
    outcomes: list[tuple[float, int, str]] = []
    stop = threading.Event()

    def load(share: list[int]):
        """Like staff at the counter: an answer that was not saved is given again."""
        pending = list(share)
        while pending and not stop.is_set():
            pk = pending[0]
            try:
                status, location, body = browser.post(
                    f"/cases/{pk}/questions/insurance/", {"answer": "kokuho"}
                )
            except OSError as error:
                status, location, body = 0, "", type(error).__name__
            outcomes.append((time.monotonic(), status, body[:400]))
            if status == 302 and "/questions/" in location:
                acknowledged.append(pk)
                pending.pop(0)
            time.sleep(0.01)

    threads = [threading.Thread(target=load, args=(cases[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    down_at = time.monotonic()
    subprocess.run(["pg_ctlcluster", "15", "main", "stop", "-m", "fast"], check=True)
    time.sleep(OUTAGE_SECONDS)
    subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=True)
    back_at = time.monotonic()
    deadline = back_at + RECOVERY_LIMIT + 2
    while time.monotonic() < deadline:
        if any(t > back_at and status == 302 for t, status, _ in outcomes[-20:]):
            time.sleep(1)  # a little load after recovery too
            break
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    during = [o for o in outcomes if down_at <= o[0] <= back_at]
    after = [o for o in outcomes if o[0] > back_at]
    first_ok = next((t for t, status, _ in after if status == 302), None)
    stored = _answered_cases(cases)
    lost = sorted(set(acknowledged) - stored)
    statuses = sorted({status for _, status, _ in outcomes})
    unavailable = [body for _, status, body in during if status == 503]
    return {
        "requests": len(outcomes),
        "statuses": statuses,
        "during_outage": len(during),
        "answered_503_in_japanese": all("データベースに接続できません" in body for body in unavailable),
        "http_500": sum(1 for _, status, _ in outcomes if status == 500),
        "recovery_s": round(first_ok - back_at, 2) if first_ok else None,
        "acknowledged": len(acknowledged),
        "lost": lost,
        "ok": bool(
            unavailable
            and all("データベースに接続できません" in body for body in unavailable)
            and set(statuses) <= {302, 503}  # saved, or refused cleanly: nothing else
            and first_ok is not None
            and first_ok - back_at <= RECOVERY_LIMIT
            and not lost
        ),
    }


def _answered_cases(cases: list[int]) -> set[int]:
    rows = psql(f"SELECT id, answers FROM okuyami_case WHERE id BETWEEN {min(cases)} AND {max(cases)}")
    answered = set()
    for line in rows.splitlines():
        pk, _, answers = line.partition("|")
        if json.loads(answers).get("insurance") == "kokuho":
            answered.add(int(pk))
    return answered


def concurrent_edit(a: Browser, b: Browser, pk: int) -> dict:
    form_a, form_b = a.get(f"/cases/{pk}/edit/")[2], b.get(f"/cases/{pk}/edit/")[2]
    version = re.search(r'name="version" value="(\d+)"', form_a).group(1)
    assert version == re.search(r'name="version" value="(\d+)"', form_b).group(1)
    first = a.post(f"/cases/{pk}/edit/", {**CASE_FORM, "visitor_phone": "000-111-1111", "version": version})
    second = b.post(f"/cases/{pk}/edit/", {**CASE_FORM, "visitor_phone": "000-222-2222", "version": version})
    stored = psql(f"SELECT visitor_phone FROM okuyami_case WHERE id = {pk}").strip()
    return {
        "first": first[0],
        "second": second[0],
        "second_saw_conflict": "競合" in second[2],
        "stored_phone": stored,
        "ok": first[0] == 302 and second[0] == 200 and "競合" in second[2] and stored == "000-111-1111",
    }


def double_submit(browser: Browser) -> dict:
    form = browser.get("/cases/new/")[2]
    token = re.search(r'name="submission" value="([0-9a-f-]+)"', form).group(1)
    before = int(psql("SELECT count(*) FROM okuyami_case").strip())
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(browser.post("/cases/new/", {**CASE_FORM, "submission": token}))
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    created = int(psql("SELECT count(*) FROM okuyami_case").strip()) - before
    locations = {location for _, location, _ in results}
    return {
        "created": created,
        "same_redirect": len(locations) == 1,
        "ok": created == 1 and len(locations) == 1,
    }


def killed_worker(server: subprocess.Popen) -> dict:
    failures, answered = [], []
    stop = threading.Event()

    def load():
        while not stop.is_set():
            try:
                with urllib.request.urlopen(f"{BASE}/healthz", timeout=5) as response:
                    answered.append(response.status)
            except (OSError, urllib.error.HTTPError) as error:
                failures.append(type(error).__name__)

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    os.kill(int(workers[0]), signal.SIGKILL)
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join()
    after = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    return {
        "requests": len(answered) + len(failures),
        "failed": len(failures),
        "workers_after": len(after),
        "replaced": workers[0] not in after and len(after) == 2,
        "ok": len(failures) <= 1 and len(after) == 2 and workers[0] not in after,
    }


def main() -> int:
    if os.geteuid() != 0:
        print("resilience needs root: it stops and starts PostgreSQL with pg_ctlcluster", file=sys.stderr)
        return 2
    subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=False, stderr=subprocess.DEVNULL)
    psql(f"DROP DATABASE IF EXISTS {DB_NAME}", database="postgres")
    psql(f"CREATE DATABASE {DB_NAME} OWNER okuyami", database="postgres")
    env = server_environment(DB_URL)
    manage("migrate", "-v0", env=env)
    manage("import_catalog", "fixtures/catalogs/sample-city.json", env=env, stdout=subprocess.DEVNULL)
    manage("shell", "-c", SETUP, env=env)
    server = start_gunicorn(env, PORT, timeout=20)
    try:
        a, b = Browser("counter-a"), Browser("counter-b")
        cases = []
        for _ in range(CASES):
            status, location, _ = a.post("/cases/new/", CASE_FORM)
            assert status == 302, status
            cases.append(int(re.search(r"/cases/(\d+)/", location).group(1)))
        results = {
            "database_restart": database_restart(a, cases[1:]),
            "concurrent_edit": concurrent_edit(Browser("counter-a"), b, cases[0]),
            "double_submit": double_submit(Browser("counter-a")),
            "killed_worker": killed_worker(server),
        }
    finally:
        stop_gunicorn(server)
        subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=False, stderr=subprocess.DEVNULL)
    for name, result in results.items():
        details = ", ".join(f"{k}={v}" for k, v in result.items() if k != "ok")
        print(f"{'PASS' if result['ok'] else 'FAIL'}  {name}: {details}")
    out = ROOT / "bench/results/resilience.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

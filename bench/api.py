"""The evaluate endpoint under gunicorn (2 workers, loopback), loaded by wrk from another process.

A trivial Django endpoint on the same server (/healthz/live) is measured the same
way as the ceiling. Debug off, a fresh SQLite database with the sample city, the
public throttle raised so that it does not limit the benchmark. Each run is bounded
in time. Prints a table and writes bench/results/api.json.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

from bench.server import environment as server_environment  # noqa: E402
from bench.server import prepare  # noqa: E402
from bench.server import start as start_gunicorn  # noqa: E402
from bench.server import stop as stop_gunicorn  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8765"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
TARGET_RPS, TARGET_P99_MS = 300, 50.0
CASE = {
    "deceased": {"birth_date": "1945-03-10", "death_date": "2026-11-20"},
    "answers": {
        "head_of_household": True,
        "household_remaining": 2,
        "insurance": "koki",
        "pension": "kosei",
        "survivor_spouse": True,
        "seal_registration": True,
        "vehicles": ["kei"],
        "real_estate": True,
    },
    "unknown": ["driver_license"],
}


DB_NAME = "okuyami_bench_api"


def fresh_database() -> str:
    """A new, empty PostgreSQL database: the production database (make bench starts it)."""
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME}", f"CREATE DATABASE {DB_NAME} OWNER okuyami"):
        subprocess.run(["su", "postgres", "-c", f'psql -qc "{sql}"'], check=True, capture_output=True)
    return f"postgres://okuyami:okuyami@127.0.0.1:5432/{DB_NAME}"


def environment(database_url: str, static_root: Path) -> dict[str, str]:
    return server_environment(
        database_url,
        DJANGO_STATIC_ROOT=str(static_root),
        OKUYAMI_API_PUBLIC_RATE="1000000/second",
    )


def wrk(url: str, script: Path | None) -> dict:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "5s"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=SECONDS + 30, check=True
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict:
    def ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", output, re.M))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), 1),
        "p50_ms": round(ms(latency["50"]), 2),
        "p90_ms": round(ms(latency["90"]), 2),
        "p99_ms": round(ms(latency["99"]), 2),
        "errors": (sum(int(n) for n in errors.groups()) if errors else 0)
        + (int(non_2xx.group(1)) if non_2xx else 0),
    }


SESSION = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from okuyami.models import Case
from core.models import StaffMembership
from procedures.models import Municipality
city = Municipality.objects.get(code="999903")
user = get_user_model().objects.create_user("bench-counter")
StaffMembership.objects.create(user=user, municipality=city, role="counter")
case = Case.objects.create(
    municipality=city, deceased_name="試験 太郎", deceased_kana="シケン タロウ", death_date="2026-11-20",
    deceased_birth_date="1945-03-10", deceased_address="見本県みほん市1-1", visitor_name="試験 花子",
    visitor_kana="シケン ハナコ", visitor_relation="配偶者", visitor_phone="000-000-0000", answers=ANSWERS,
)
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print(session.session_key, case.pk)
"""


def gunicorn(work: Path, env: dict, workers: int) -> subprocess.Popen:
    return start_gunicorn(env, PORT, workers=workers, error_log=str(work / "gunicorn.log"))


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024, 1)


def get(url: str, cookie: str) -> bytes:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return response.read()


def worker_memory(env: dict, work: Path, cookie: str, case: int) -> dict:
    """One worker: RSS after warm-up, after 1,000 requests and after 200 PDFs."""
    server = gunicorn(work, env, workers=1)
    try:
        base = f"http://127.0.0.1:{PORT}"
        worker = int(
            subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()[0]
        )
        pages = [f"{base}/cases/{case}/result/", f"{base}/cases/{case}/", f"{base}/relay/"]
        for n in range(20):
            get(pages[n % 3], cookie)
        warm = rss_mib(worker)
        for n in range(1000):
            get(pages[n % 3], cookie)
        after_requests = rss_mib(worker)
        for _ in range(200):
            assert get(f"{base}/cases/{case}/print/checklist.pdf", cookie).startswith(b"%PDF")
        after_pdfs = rss_mib(worker)
    finally:
        stop_gunicorn(server)
    return {"warm_mib": warm, "after_1000_requests_mib": after_requests, "after_200_pdfs_mib": after_pdfs}


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is missing: `make bench` installs Debian's wrk", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="okuyami-bench-"))
    env = environment(fresh_database(), work / "static")
    (work / "static").mkdir()
    try:
        prepare(env)
        made = (
            subprocess.run(
                [PYTHON, "manage.py", "shell", "-c", f"ANSWERS = {CASE['answers']!r}\n" + SESSION],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.splitlines()[-1]
            .split()
        )  # the shell may print a line of its own first
        cookie, case = made[0], int(made[1])
        script = work / "evaluate.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = [[{json.dumps(CASE, ensure_ascii=False)}]]\n",
            encoding="utf-8",
        )
        cookie_script = work / "page.lua"
        cookie_script.write_text(f'wrk.headers["Cookie"] = "sessionid={cookie}"\n', encoding="utf-8")
        server = gunicorn(work, env, workers=2)
        try:
            base = f"http://127.0.0.1:{PORT}"
            evaluate_url = f"{base}/api/v1/municipalities/999903/evaluate"
            request = urllib.request.Request(
                evaluate_url, json.dumps(CASE).encode(), {"Content-Type": "application/json"}
            )
            assert json.load(urllib.request.urlopen(request, timeout=5))["applies"]
            result_url = f"{base}/cases/{case}/result/"
            assert "必要な手続きと順路".encode() in get(result_url, cookie)
            wrk(evaluate_url, script)  # warm-up: both workers compile the catalog once
            rows = {
                "trivial": wrk(f"{base}/healthz/live", None),
                "evaluate": wrk(evaluate_url, script),
                "result page": wrk(result_url, cookie_script),
            }
        finally:
            stop_gunicorn(server)
        memory = worker_memory(env, work, cookie, case)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    evaluate = rows["evaluate"]
    ratio = round(evaluate["rps"] / rows["trivial"]["rps"], 2)
    print(f"Under gunicorn (2 workers), wrk 1 thread {CONNECTIONS} connections {SECONDS} s, PostgreSQL")
    print(f"{'endpoint':<13}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, row in rows.items():
        print(
            f"{name:<13}{row['rps']:>9}{row['p50_ms']:>9}{row['p90_ms']:>9}{row['p99_ms']:>9}{row['errors']:>8}"
        )
    print(f"evaluate / trivial throughput: {ratio}")
    print(
        f"worker RSS: {memory['warm_mib']} MiB warm, {memory['after_1000_requests_mib']} MiB after 1,000 "
        f"requests, {memory['after_200_pdfs_mib']} MiB after 200 PDFs"
    )
    ok = evaluate["rps"] >= TARGET_RPS and evaluate["p99_ms"] <= TARGET_P99_MS and evaluate["errors"] == 0
    ok &= rows["result page"]["errors"] == 0
    print(
        f"target: evaluate ≥ {TARGET_RPS} req/s, p99 ≤ {TARGET_P99_MS} ms, no errors: "
        + ("met" if ok else "NOT MET")
    )
    out = ROOT / "bench/results/api.json"
    out.parent.mkdir(exist_ok=True)
    summary = {"rows": rows, "ratio": ratio, "memory": memory, "connections": CONNECTIONS, "seconds": SECONDS}
    out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The result page for a family with 17 procedures: its height and the Tabs to 確定 (issue #15, item 6).

Builds a throwaway SQLite database with the sample city and one case (bench/cases.py's
SEVENTEEN_ANSWERS: 17 procedures at 11 counters, 2 to confirm), serves a checkout with `runserver`
on a free port, and measures the page in Debian's Chromium: the document's height at 1280 px and
at 390 px (a phone), and how many Tab presses from the top of the page reach the 確定 button. Any
checkout of the project can be measured, so the figures before and after a change come from the
same script:

    python bench/result_page.py                      this checkout; writes bench/results/result_page.json
    python bench/result_page.py --root /tmp/main     another checkout (e.g. `git archive main`), printed only
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.cases import SEVENTEEN_ANSWERS  # noqa: E402
from bench.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SETUP = """
import json
from datetime import date
from django.contrib.auth import get_user_model
from core.models import StaffMembership
from okuyami.models import Case
from procedures.catalog_io import read_catalog
from procedures.services import catalog_import
catalog = read_catalog(json.load(open("fixtures/catalogs/sample-city.json", encoding="utf-8")))
municipality, _ = catalog_import(catalog=catalog)
user = get_user_model().objects.create_user("bench-counter", password="bench-password")
StaffMembership.objects.create(user=user, municipality=municipality, role="counter")
case = Case.objects.create(
    municipality=municipality, deceased_name="見本 太郎", deceased_kana="ミホン タロウ",
    deceased_birth_date=date(1945, 3, 10), death_date=date(2026, 11, 20),
    deceased_address="見本県みほん市本町1-1", visitor_name="見本 花子", visitor_kana="ミホン ハナコ",
    visitor_relation="配偶者", visitor_phone="000-000-1234", answers=json.loads(%r), unknown=["will"],
)
print(case.pk)
"""
FINALISE = "#finalise ~ form button[type=submit]"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(root: Path, database: Path) -> tuple[subprocess.Popen, str, int]:
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}"}
    python = [sys.executable, "manage.py"]
    subprocess.run([*python, "migrate", "--no-input", "-v", "0"], cwd=root, env=env, check=True)
    shell = subprocess.run(
        [*python, "shell", "-c", SETUP % json.dumps(SEVENTEEN_ANSWERS)],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    case = int(shell.stdout.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [*python, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return server, url, case


def measure(url: str, case: int) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()
        page.goto(f"{url}/login/")
        page.fill("#id_username", "bench-counter")
        page.fill("#id_password", "bench-password")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(f"{url}/cases/{case}/result/")
        figures = {
            "procedures": page.locator(".oky-route li[id^=procedure-]").count(),
            "height_1280": page.evaluate("document.documentElement.scrollHeight"),
            "tabs_to_finalise": tabs_until(page, FINALISE),
        }
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{url}/cases/{case}/result/")
        figures["height_390"] = page.evaluate("document.documentElement.scrollHeight")
        browser.close()
    return figures


def tabs_until(page, selector: str, limit: int = 400) -> int:
    """Tab presses from the top of a freshly loaded page until `selector` has focus."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return count
    return -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE.parent, help="the checkout to measure")
    args = parser.parse_args()
    root = args.root.resolve()
    with tempfile.TemporaryDirectory() as folder:
        server, url, case = serve(root, Path(folder) / "bench.sqlite3")
        try:
            figures = measure(url, case)
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=10)
    print(json.dumps(figures, ensure_ascii=False))
    if root == HERE.parent.resolve():
        (HERE / "results" / "result_page.json").write_text(
            json.dumps(figures, indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()

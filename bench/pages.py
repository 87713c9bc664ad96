"""Case pages at national scale: 1 municipality versus 1,741 in one PostgreSQL database.

Each database holds the sample city (where the measured case lives); the large one
also 1,740 generated municipalities with 40 procedures each. Both are built once
and reused. The case detail, question, answers and result pages are timed through
Django's test client (p50/p95) and their SQL queries counted. Target: the large
database at most 1.2× slower. Writes bench/results/pages.json.

    python bench/pages.py               build if needed, measure both, print the table
    python bench/pages.py measure URL N (internal) N requests per page on one database, print JSON
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import django_setup  # noqa: E402

PYTHON = sys.executable
MUNICIPALITIES = 1741
PROCEDURES = 40
ROUNDS = int(os.environ.get("BENCH_PAGE_ROUNDS", "150"))
SPLITS = 5
TARGET_RATIO = 1.2
DATABASES = {"1 municipality": "okuyami_bench_1", f"{MUNICIPALITIES:,} municipalities": "okuyami_bench_1741"}


def url_for(name: str) -> str:
    return f"postgres://okuyami:okuyami@127.0.0.1:5432/{name}"


def setup_django(database_url: str) -> None:
    django_setup.setup_django(
        database_url,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",  # the test client speaks plain HTTP
        DJANGO_SECURE_COOKIES="0",
    )


def build(database_url: str, municipalities: int) -> None:
    """Create the schema and the catalogs unless a previous run already did."""
    setup_django(database_url)
    from django.core.management import call_command

    from bench.generate import generated_catalog, municipality_code
    from procedures.catalog_io import loads, read_catalog
    from procedures.models import Municipality
    from procedures.services import catalog_import

    call_command("migrate", verbosity=0)
    if Municipality.objects.count() >= municipalities:
        return
    sample = read_catalog(loads((ROOT / "fixtures/catalogs/sample-city.json").read_bytes()))
    catalog_import(catalog=sample)
    taken = set(Municipality.objects.values_list("code", flat=True))
    number = 0
    while Municipality.objects.count() < municipalities:
        number += 1
        code = municipality_code(number)
        if code in taken:
            continue
        taken.add(code)
        document = generated_catalog(procedures=PROCEDURES, questions=20, seed=number, code=code)
        catalog_import(catalog=read_catalog(document))
        if number % 200 == 0:
            print(f"  {number} municipalities", file=sys.stderr)


def measure(database_url: str, requests: int) -> dict:
    setup_django(database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.api import CASE
    from core.models import StaffMembership
    from okuyami.models import Case
    from procedures.models import Municipality

    city = Municipality.objects.get(code="999903")
    user, _ = get_user_model().objects.get_or_create(username="bench-counter")
    StaffMembership.objects.update_or_create(user=user, defaults={"municipality": city, "role": "counter"})
    case, _ = Case.objects.get_or_create(
        municipality=city,
        deceased_name="試験 太郎",
        defaults={
            "deceased_kana": "シケン タロウ",
            "death_date": "2026-11-20",
            "deceased_birth_date": "1945-03-10",
            "deceased_address": "見本県みほん市1-1",
            "visitor_name": "試験 花子",
            "visitor_kana": "シケン ハナコ",
            "visitor_relation": "配偶者",
            "visitor_phone": "000-000-0000",
            "answers": CASE["answers"],
        },
    )
    client = Client()
    client.force_login(user)
    pages = {
        "case detail": reverse("okuyami:case-detail", args=[case.pk]),
        "question": reverse("okuyami:question", args=[case.pk, "insurance"]),
        "answers": reverse("okuyami:answers", args=[case.pk]),
        "result": reverse("okuyami:result", args=[case.pk]),
    }
    rows = {}
    for name, url in pages.items():
        for _ in range(10):  # warm: the catalog is compiled once per process
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        rows[name] = {"queries": len(queries), "timings_ms": []}
    for _ in range(requests):  # pages in turn, so a slower moment falls on all alike
        for name, url in pages.items():
            started = time.perf_counter()
            client.get(url)
            rows[name]["timings_ms"].append((time.perf_counter() - started) * 1000)
    return {"municipalities": Municipality.objects.count(), "pages": rows}


def summarise(parts: list[dict]) -> dict:
    """One database's measurements, taken in several processes, as p50/p95 per page."""
    pages = {}
    for name in parts[0]["pages"]:
        timings = sorted(t for part in parts for t in part["pages"][name]["timings_ms"])
        pages[name] = {
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95)], 2),
            "queries": max(part["pages"][name]["queries"] for part in parts),
        }
    return {"municipalities": parts[0]["municipalities"], "pages": pages}


def psql(sql: str) -> str:
    return subprocess.run(
        ["su", "postgres", "-c", f'psql -qAtc "{sql}"'], capture_output=True, text=True, check=True
    ).stdout


def main() -> int:
    for label, name in DATABASES.items():
        if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip():
            psql(f"CREATE DATABASE {name} OWNER okuyami")
        size = MUNICIPALITIES if "1,741" in label else 1
        started = time.monotonic()
        subprocess.run([PYTHON, __file__, "build", url_for(name), str(size)], check=True)
        built = time.monotonic() - started
        if built > 5:
            print(f"built {label} in {built:.0f} s", file=sys.stderr)
    # The two databases are measured in turns (SPLITS processes each, alternating), so
    # that a slower minute of this shared machine does not land on one of them only.
    parts: dict[str, list[dict]] = {label: [] for label in DATABASES}
    for _ in range(SPLITS):
        for label, name in DATABASES.items():
            output = subprocess.run(
                [PYTHON, __file__, "measure", url_for(name), str(ROUNDS // SPLITS)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            parts[label].append(json.loads(output))
    results = {label: summarise(measured) for label, measured in parts.items()}
    small, large = results.values()
    print(
        f"Case pages through the test client, PostgreSQL, {ROUNDS} requests each "
        f"({SPLITS} processes per database, alternating)"
    )
    print(
        f"{'page':<14}"
        + "".join(f"{label + ' p50/p95 ms':>34}{'queries':>9}" for label in results)
        + f"{'ratio':>8}"
    )
    ok = True
    for page in small["pages"]:
        a, b = small["pages"][page], large["pages"][page]
        ratio = round(b["p50_ms"] / a["p50_ms"], 2)
        ok &= ratio <= TARGET_RATIO and b["queries"] <= 15
        print(
            f"{page:<14}{a['p50_ms']:>25} / {a['p95_ms']:<6}{a['queries']:>9}"
            f"{b['p50_ms']:>25} / {b['p95_ms']:<6}{b['queries']:>9}{ratio:>8}"
        )
        results.setdefault("ratios", {})[page] = ratio
    print(
        f"target: the {MUNICIPALITIES:,}-municipality database at most {TARGET_RATIO}× slower: "
        + ("met" if ok else "NOT MET")
    )
    out = ROOT / "bench/results/pages.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "build":
        build(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "measure":
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]))))
    else:
        sys.exit(main())

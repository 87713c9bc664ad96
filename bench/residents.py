"""A large city's resident extract: import time and memory, and the counter's search, on PostgreSQL.

Generates a fictitious okuyami-residents/1 extract of about 700,000 people (270,000
households, two million facts; okuyami.residents.sample, fixed seed), imports it into the
sample city twice (into an empty database, then replacing itself, as every night), each in
its own process whose wall time and peak RSS are measured, then times the search service
the counter's screen calls (records_search: criteria checked, the query, the audit record)
with its SQL query count. Targets: import ≤ 90 s with peak RSS ≤ 400 MB; search p95 ≤ 50 ms
with a fixed query count. Writes bench/results/residents.json.

    python bench/residents.py                 generate, import twice, search, print the table
    python bench/residents.py import URL DIR fresh|replace  (internal) one import, print JSON
    python bench/residents.py search URL N    (internal) N searches, print JSON

BENCH_RESIDENTS_DATABASE names the database (okuyami_bench_residents, created if missing);
BENCH_RESIDENTS_HOUSEHOLDS the size (270000).
"""

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pages import setup_django, url_for  # noqa: E402  (the same settings as the page bench)

PYTHON = sys.executable
DATABASE = os.environ.get("BENCH_RESIDENTS_DATABASE", "okuyami_bench_residents")
HOUSEHOLDS = int(os.environ.get("BENCH_RESIDENTS_HOUSEHOLDS", "270000"))
SEARCHES = int(os.environ.get("BENCH_RESIDENTS_SEARCHES", "1000"))
TODAY = date(2026, 11, 29)
IMPORT_TARGET_S, MEMORY_TARGET_MIB, SEARCH_TARGET_MS = 90, 400, 50


def sample_city():
    """The sample city, its catalog loaded once."""
    from procedures.catalog_io import loads, read_catalog
    from procedures.models import Municipality
    from procedures.services import catalog_import

    document = loads((ROOT / "fixtures/catalogs/sample-city.json").read_bytes())
    city = Municipality.objects.filter(code=document["municipality"]["code"]).first()
    if city is None:
        city, _ = catalog_import(catalog=read_catalog(document))
    return city


def import_once(database_url: str, folder: str, fresh: bool) -> dict:
    """One import in this process (after erasing the stored one when `fresh`): wall time, peak RSS."""
    setup_django(database_url)
    from django.core.management import call_command

    from okuyami.residents.services import extract_erase, extract_import

    call_command("migrate", verbosity=0)
    city = sample_city()
    if fresh:
        extract_erase(municipality=city, reason="bench", actor="bench")
    started = time.perf_counter()
    report = extract_import(municipality=city, source=folder, actor="bench")
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": round(seconds, 1), "peak_rss_mib": round(peak_kib / 1024, 1), **report.counts()}


def search(database_url: str, count: int) -> dict:
    """`count` searches by a counter user, of the kinds the counter makes, each timed."""
    setup_django(database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.models import StaffMembership
    from okuyami.residents.models import Person
    from okuyami.residents.selectors import SearchCriteria, extract_for
    from okuyami.residents.services import records_search

    city = sample_city()
    user, _ = get_user_model().objects.get_or_create(username="bench-residents-counter")
    StaffMembership.objects.update_or_create(user=user, defaults={"municipality": city, "role": "counter"})
    extract = extract_for(city)
    rng = random.Random(5)
    deceased = list(
        Person.objects.filter(extract=extract, death_date__isnull=False).values_list(
            "atena_number", "kana", "birth_date", "death_date"
        )
    )
    ids = rng.sample(range(extract.people), min(count, extract.people))
    numbers = [f"{300_000_000_000 + i + 1}" for i in ids]
    living = list(
        Person.objects.filter(extract=extract, atena_number__in=numbers).values_list(
            "atena_number", "kana", "birth_date", "death_date"
        )
    )
    criteria = []
    for index in range(count):
        number, kana, birth, death = rng.choice(deceased if index % 2 else living)
        family, _, given = kana.partition(" ")
        kind = index % 5
        if kind == 0:  # the family name's first letters and the birth date
            criteria.append(SearchCriteria(kana=family[:2], birth_date=birth))
        elif kind == 1 and death:  # the given name first, and the date of death
            criteria.append(SearchCriteria(kana=f"{given} {family[:1]}", death_date=death))
        elif kind == 2:  # the 宛名番号 and the birth date
            criteria.append(SearchCriteria(atena_number=number, birth_date=birth))
        elif kind == 3 and death:
            criteria.append(SearchCriteria(birth_date=birth, death_date=death))
        else:  # hiragana as typed
            hiragana = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in family)
            criteria.append(SearchCriteria(kana=hiragana, birth_date=birth))
    queries = set()
    for item in criteria[:20]:  # warm, and the query count of each kind
        user.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            records_search(user=user, criteria=item)
        queries.add(len(captured))
    timings, hits = [], []
    for item in criteria:
        user.refresh_from_db()  # as a request does: the membership is read each time
        started = time.perf_counter()
        result = records_search(user=user, criteria=item)
        timings.append((time.perf_counter() - started) * 1000)
        hits.append(len(result.hits))
    timings.sort()
    return {
        "searches": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95)], 2),
        "max_ms": round(timings[-1], 2),
        "queries": sorted(queries),
        "mean_hits": round(statistics.mean(hits), 1),
    }


def psql(sql: str) -> str:
    return subprocess.run(
        ["psql", "-qAt", url_for("postgres"), "-c", sql], capture_output=True, text=True, check=True
    ).stdout


def child(*args: str) -> dict:
    output = subprocess.run([PYTHON, __file__, *args], capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def main() -> int:
    from okuyami.residents.sample import generate_extract

    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'").strip():
        psql(f"CREATE DATABASE {DATABASE} OWNER okuyami")
    database_url = url_for(DATABASE)
    with tempfile.TemporaryDirectory(prefix="okuyami-residents-") as folder:
        started = time.perf_counter()
        counts = generate_extract(Path(folder), seed=7, today=TODAY, households_count=HOUSEHOLDS)
        size = sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20
        print(
            f"generated {counts['people']:,} people, {counts['households']:,} households, "
            f"{counts['facts']:,} facts ({size:.0f} MiB) in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        imports = {}
        for label, fresh in (("first import", "fresh"), ("replacing import", "replace")):
            imports[label] = child("import", database_url, folder, fresh)
            print(f"{label}: {imports[label]}", flush=True)
    searched = child("search", database_url, str(SEARCHES))
    print(f"search: {searched}")
    ok_import = all(
        row["seconds"] <= IMPORT_TARGET_S and row["peak_rss_mib"] <= MEMORY_TARGET_MIB
        for row in imports.values()
    )
    ok_search = searched["p95_ms"] <= SEARCH_TARGET_MS and len(searched["queries"]) == 1
    results = {"counts": counts, "imports": imports, "search": searched, "met": ok_import and ok_search}
    out = ROOT / "bench/results/residents.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"import ≤ {IMPORT_TARGET_S} s and ≤ {MEMORY_TARGET_MIB} MiB: {'met' if ok_import else 'NOT MET'}")
    print(f"search p95 ≤ {SEARCH_TARGET_MS} ms, one query count: {'met' if ok_search else 'NOT MET'}")
    return 0 if results["met"] else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "import":
        print(json.dumps(import_once(sys.argv[2], sys.argv[3], sys.argv[4] == "fresh")))
    elif len(sys.argv) > 1 and sys.argv[1] == "search":
        print(json.dumps(search(sys.argv[2], int(sys.argv[3]))))
    else:
        sys.exit(main())

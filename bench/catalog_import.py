"""Importing a large catalog again: what an import, an undo or a restore costs now that rows are
updated in place by key (issue #15 item 8) instead of all deleted and created again.

A generated catalog of 2,300 procedures is imported into its own database; then, in rounds, the
same catalog again (nothing changed: no row is written), one with a tenth of its procedures
changed (an ordinary import), and the first one back (an undo of it). Each is one whole
`catalog_import` (validation not included: the catalog is read once before timing). Writes
bench/results/catalog_import.json.

    python bench/catalog_import.py      SQLite in a temporary file (or DATABASE_URL)
"""

import copy
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import setup_django  # noqa: E402

PROCEDURES = 2300
ROUNDS = int(os.environ.get("BENCH_IMPORT_ROUNDS", "5"))


def changed(document: dict, share: int = 10) -> dict:
    """Every `share`-th procedure with another deadline and name, one procedure gone, one new."""
    document = copy.deepcopy(document)
    for index, procedure in enumerate(document["procedures"]):
        if index % share == 0:
            procedure["name"] += "（改）"
            procedure["deadline_days"] = 7
    gone = document["procedures"].pop()
    document["procedures"].append({**gone, "key": gone["key"] + "_new"})
    return document


def main() -> dict:
    setup_django(name="import")
    from django.core.management import call_command

    from bench.generate import generated_catalog
    from procedures.catalog_io import read_catalog
    from procedures.models import Procedure
    from procedures.services import catalog_import

    call_command("migrate", verbosity=0)
    document = generated_catalog(procedures=PROCEDURES, questions=40, seed=11)
    original, edited = read_catalog(document), read_catalog(changed(document))
    municipality, _ = catalog_import(catalog=original)
    first_id = Procedure.objects.filter(municipality=municipality).order_by("key").values_list("pk").first()

    timings: dict[str, list[float]] = {"same catalog again": [], "a tenth changed": [], "undone": []}
    for _ in range(ROUNDS):
        for name, catalog in (
            ("same catalog again", original),
            ("a tenth changed", edited),
            ("undone", original),
        ):
            started = time.perf_counter()
            catalog_import(catalog=catalog, note="bench")
            timings[name].append(time.perf_counter() - started)
    kept = Procedure.objects.filter(municipality=municipality).order_by("key").values_list("pk").first()
    result = {
        "procedures": PROCEDURES,
        "rounds": ROUNDS,
        "database": os.environ["DATABASE_URL"].split(":", 1)[0],
        "python": platform.python_version(),
        "median_ms": {name: round(statistics.median(values) * 1000, 1) for name, values in timings.items()},
        "ids_kept": first_id == kept,
    }
    out = ROOT / "bench" / "results" / "catalog_import.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=2))

"""Condition evaluation per case: the national template and a 500-procedure catalog.

Conditions are parsed once per catalog (read_catalog), then each case is
validated and evaluated; the script checks that no condition is parsed while
evaluating. Prints a table and writes bench/results/evaluate.json.
"""

import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generated_cases, generated_catalog  # noqa: E402
from procedures import rules  # noqa: E402
from procedures.catalog_io import read_catalog  # noqa: E402
from procedures.evaluation import evaluate, read_case  # noqa: E402

CASES = 2000
TARGET_MS = 1.0  # per case, 500 procedures


def measure(name: str, document: dict) -> dict:
    started = time.perf_counter()
    catalog = read_catalog(document)
    load_ms = (time.perf_counter() - started) * 1000
    cases = generated_cases(document, count=CASES)

    parses = 0
    original_parse = rules.parse

    def counting_parse(source):
        nonlocal parses
        parses += 1
        return original_parse(source)

    rules.parse = counting_parse
    try:
        for case in cases[:200]:  # warm-up
            evaluate(catalog, read_case(catalog, case))
        timings, applies, maybe = [], 0, 0
        for case in cases:
            started = time.perf_counter()
            result = evaluate(catalog, read_case(catalog, case))
            timings.append((time.perf_counter() - started) * 1000)
            applies += len(result["applies"])
            maybe += len(result["maybe"])
    finally:
        rules.parse = original_parse
    timings.sort()
    return {
        "catalog": name,
        "questions": len(catalog.questions),
        "procedures": len(catalog.procedures),
        "load_ms": round(load_ms, 2),
        "cases": CASES,
        "mean_ms": round(statistics.fmean(timings), 4),
        "p50_ms": round(timings[len(timings) // 2], 4),
        "p95_ms": round(timings[int(len(timings) * 0.95)], 4),
        "p99_ms": round(timings[int(len(timings) * 0.99)], 4),
        "applies_per_case": round(applies / CASES, 1),
        "maybe_per_case": round(maybe / CASES, 1),
        "parses_during_evaluation": parses,
    }


def main() -> int:
    template = json.loads((ROOT / "fixtures/catalogs/national-template.json").read_text(encoding="utf-8"))
    rows = [
        measure("national-template", template),
        measure("generated-500", generated_catalog(procedures=500, seed=500)),
    ]
    header = f"{'catalog':<20}{'questions':>10}{'procedures':>11}" + "".join(
        f"{label:>9}" for label in ("load ms", "mean ms", "p50 ms", "p95 ms", "p99 ms", "parses")
    )
    print("Condition evaluation per case (validate + evaluate + reasons), one core")
    print(header)
    for r in rows:
        print(
            f"{r['catalog']:<20}{r['questions']:>10}{r['procedures']:>11}{r['load_ms']:>9}"
            f"{r['mean_ms']:>9}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}{r['parses_during_evaluation']:>9}"
        )
    big = rows[1]
    ok = big["mean_ms"] < TARGET_MS and all(r["parses_during_evaluation"] == 0 for r in rows)
    print(
        f"target: under {TARGET_MS} ms per case for 500 procedures, no parsing per case: "
        + ("met" if ok else "NOT MET")
    )
    out = ROOT / "bench/results/evaluate.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {"python": platform.python_version(), "machine": platform.machine(), "rows": rows}, indent=2
        )
        + "\n"
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: every benchmark, then one table of the figures against their targets.

`python bench/run.py pages api` runs only those two; the table uses the latest results of all.

Runs bench/evaluate.py, bench/compile.py, bench/pages.py (PostgreSQL), bench/printing.py,
bench/forms.py, bench/api.py (gunicorn + wrk), bench/residents.py (PostgreSQL) and
bench/precheck.py (gunicorn + wrk) one after the other, each writing its JSON under
bench/results/, and prints the summary, written to bench/results/summary.json.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench/results"
SCRIPTS = ["evaluate", "compile", "pages", "printing", "forms", "api", "residents", "precheck"]


def load(name: str) -> dict:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def rows() -> list[tuple[str, str, str, bool | None]]:
    """(measure, figure, target, met) for the summary table."""
    table = []
    for row in load("evaluate").get("rows", []):
        target = "< 1 ms" if row["procedures"] >= 500 else ""
        met = (row["mean_ms"] < 1.0 and row["parses_during_evaluation"] == 0) if target else None
        table.append(
            (
                f"evaluation per case, {row['catalog']}",
                f"{row['mean_ms']} ms (p95 {row['p95_ms']})",
                target,
                met,
            )
        )
    compiled = load("compile")
    if compiled:
        after, fresh = compiled["after_edit_ms"], compiled["fresh_worker_ms"]
        figure = f"{after} ms after an edit, {fresh} ms in a fresh worker ({compiled['database']})"
        measure = f"catalog compile, {compiled['procedures']:,} procedures"
        table.append((measure, figure, f"≤ {compiled['target_ms']} ms after an edit", compiled["met"]))
    pages = load("pages")
    for page, ratio in pages.get("ratios", {}).items():
        small, large = (pages[label]["pages"][page] for label in pages if label != "ratios")
        figure = f"{small['p50_ms']} → {large['p50_ms']} ms p50, {large['queries']} queries"
        table.append(
            (
                f"{page} page, 1 → 1,741 municipalities",
                figure,
                "≤ 1.2×, ≤ 15 queries",
                ratio <= 1.2 and large["queries"] <= 15,
            )
        )
    for row in load("printing").get("rows", []):
        pages = f"{row['pages']} page{'s' if row['pages'] > 1 else ''}"
        figure = (
            f"{row['p50_s']} s p50, {pages}; {row['warm_ratio']}× a warm Chromium "
            f"({row['chromium_warm_p50_s']} s), {row['cold_ratio']}× a cold one"
        )
        target = f"≤ {row['target_ratio']}× warm" + (
            f", ≤ {row['target_s']} s" if row.get("target_s") else ""
        )
        table.append((f"PDF {row['document']}, {row['case']}", figure, target, row.get("met")))
    memory = load("printing").get("memory")
    if memory:
        growth = memory["growth_after_20_percent"]
        table.append(("PDF process peak memory, 20 → 200 checklists", f"+{growth} %", "< 10 %", growth < 10))
    forms = load("forms").get("row")
    if forms:
        figure = (
            f"{forms['fill_p50_s']} s p50, {forms['ratio']}× the floor "
            f"(pikepdf copying the pages: {forms['copy_p50_s']} s)"
        )
        target = f"≤ {forms['target_s']} s, ≤ {forms['target_ratio']}×"
        measure = f"forms pre-filled, {forms['forms']} forms / {forms['pages']} pages"
        table.append((measure, figure, target, forms["met"]))
    api = load("api")
    for name, row in api.get("rows", {}).items():
        target = "≥ 300 req/s, p99 ≤ 50 ms" if name == "evaluate" else ""
        met = (row["rps"] >= 300 and row["p99_ms"] <= 50 and row["errors"] == 0) if target else None
        table.append(
            (
                f"gunicorn {name}",
                f"{row['rps']} req/s, p99 {row['p99_ms']} ms, {row['errors']} errors",
                target,
                met,
            )
        )
    for name, row in load("precheck").get("rows", {}).items():
        target = "" if name in ("trivial", "checklist PDF") else "≥ 200 req/s, p99 ≤ 100 ms"
        met = (row["rps"] >= 200 and row["p99_ms"] <= 100 and row["errors"] == 0) if target else None
        figure = f"{row['rps']} req/s, p99 {row['p99_ms']} ms, {row['errors']} errors"
        if row.get("cpu_ms"):  # the workers' CPU time a request: what a busy host changes least
            figure += f", {row['cpu_ms']} ms CPU"
        table.append((f"gunicorn pre-check {name}", figure, target, met))
    if api.get("memory"):
        m = api["memory"]
        figure = f"{m['warm_mib']} → {m['after_1000_requests_mib']} → {m['after_200_pdfs_mib']} MiB"
        table.append(("worker RSS: warm → 1,000 requests → 200 PDFs", figure, "", None))
    residents = load("residents")
    people = residents.get("counts", {}).get("people", 0)
    for label, row in residents.get("imports", {}).items():
        table.append(
            (
                f"resident extract, {label}, {people:,} people",
                f"{row['seconds']} s, peak RSS {row['peak_rss_mib']} MiB",
                "≤ 90 s, ≤ 400 MiB",
                row["seconds"] <= 90 and row["peak_rss_mib"] <= 400,
            )
        )
    if search := residents.get("search"):
        queries = "/".join(str(q) for q in search["queries"])
        table.append(
            (
                f"resident search, two criteria, {people:,} people",
                f"{search['p50_ms']} ms p50, p95 {search['p95_ms']}, {queries} queries",
                "p95 ≤ 50 ms, fixed queries",
                search["p95_ms"] <= 50 and len(search["queries"]) == 1,
            )
        )
    return table


def main() -> int:
    for name in sys.argv[1:] or SCRIPTS:
        print(f"== bench/{name}.py", flush=True)
        subprocess.run([sys.executable, str(ROOT / f"bench/{name}.py")], cwd=ROOT, check=False)
    table = rows()
    print("\n== Summary")
    width = max(len(measure) for measure, *_ in table)
    figure_width = max(len(figure) for _, figure, *_ in table)
    target_width = max(len(target) for _, _, target, _ in table)
    for measure, figure, target, met in table:
        verdict = "" if met is None else ("met" if met else "NOT MET")
        print(f"{measure:<{width}}  {figure:<{figure_width}}  {target:<{target_width}}  {verdict}")
    (RESULTS / "summary.json").write_text(
        json.dumps(
            [dict(zip(("measure", "figure", "target", "met"), row, strict=True)) for row in table],
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

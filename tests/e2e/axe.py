"""An automated accessibility scan in the browser tests: axe-core, vendored (tests/e2e/vendor/,
MPL-2.0, from the npm registry's axe-core 4.14.1; its SHA-256 checked here), run by Playwright
against the page as served, CSP and all.

The script is evaluated through the DevTools protocol, which the page's Content-Security-Policy
does not govern, so the policy under test stays as strict as in production.
"""

import functools
import hashlib
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # npm axe-core 4.14.1
# WCAG 2.2 AA, and every level below it.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""


@functools.cache
def source() -> str:
    data = AXE.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == AXE_SHA256, f"{AXE} is not the vendored axe-core 4.14.1 ({digest})"
    return data.decode("utf-8")


def preload(context) -> None:
    """axe-core in every page `context` loads from now on, evaluated before the page's own scripts,
    also through the DevTools protocol (the CSP does not govern it either): a context that scans page
    after page sends the 650 KB to the browser once instead of at every scan (some 50 ms each), and
    V8 compiles it from its cache on each new page (some 5 ms)."""
    context.add_init_script(script=f"{source()}\n;window.axe = axe;")


def violations(page) -> list[str]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {source()}\n; window.axe = axe; }}")
    found = page.evaluate(RUN, TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(v['nodes'])}" for v in found]

"""Where a browser test's seconds go: a pytest plugin for the tests in tests/e2e/.

    DJANGO_DEBUG=1 .venv/bin/python -m pytest -p bench.e2e_profile tests/e2e/test_precheck.py

(`python -m` puts the checkout on sys.path, where `-p` looks for the plugin.)

After the run, for each test: its call time; the live server's time per request, by path (ids
folded to N, question keys to X) with the queries each made; axe-core's scans (tests/e2e/axe.py);
the time spent inside Playwright's calls by method, the waits for a navigation or a download
(the end of `expect_navigation`/`expect_download`) apart; the pages' own navigation timings
(first byte, response end, DOMContentLoaded, load, from the request) read after each
`expect_navigation`; and the slower fixtures' setup. Not part of `make bench`: it patches Django's
WSGIHandler and Playwright's sync classes for the run, and its own calls (one evaluate after each
navigation, the query capture) cost a little; use it to find the large items, then time the test
without it (`--durations`).
"""

import collections
import contextlib
import re
import statistics
import time

import pytest

_requests: list[tuple[str, float, int]] = []  # (method and folded path, seconds, queries)
_calls: collections.Counter = collections.Counter()
_counts: collections.Counter = collections.Counter()
_navigations: list[list[float]] = []
_fixtures: list[tuple[str, float]] = []
_scans: list[float] = []
_reports: list[str] = []
NAVIGATION_TIMING = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  return n ? [n.responseStart - n.requestStart, n.responseEnd - n.requestStart,
              n.domContentLoadedEventEnd - n.requestStart, n.loadEventEnd - n.requestStart] : null;
}"""


def _fold(method: str, path: str) -> str:
    path = re.sub(r"/questions/[^/]+/", "/questions/X/", path)
    return f"{method} {re.sub(r'/[0-9]+(?=/|$)', '/N', path)}"


def _timed(owner, name: str, label: str) -> None:
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _calls[label] += time.perf_counter() - started
            _counts[label] += 1

    setattr(owner, name, wrapper)


def _patch_server() -> None:
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    original = WSGIHandler.__call__

    def call(self, environ, start_response):
        started = time.perf_counter()
        with CaptureQueriesContext(connections["default"]) as queries:
            response = original(self, environ, start_response)
        path = _fold(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        _requests.append((path, time.perf_counter() - started, len(queries.captured_queries)))
        return response

    WSGIHandler.__call__ = call


def _patch_playwright() -> None:
    from playwright._impl._sync_base import EventContextManager
    from playwright.sync_api import BrowserContext, Keyboard, Locator, Mouse, Page

    _timed(EventContextManager, "__exit__", "wait for the navigation or download")
    for owner, names in (
        (Page, "goto click fill evaluate focus wait_for_url wait_for_selector wait_for_load_state content"),
        (Page, "inner_text input_value select_option set_input_files set_viewport_size screenshot title"),
        (Keyboard, "press type"),
        (Mouse, "click move down up"),
        (Locator, "click check fill count inner_text input_value get_attribute is_visible wait_for press"),
        (BrowserContext, "new_page add_cookies add_init_script close"),
    ):
        for name in names.split():
            _timed(owner, name, f"{owner.__name__}.{name}")

    expect_navigation = Page.expect_navigation

    @contextlib.contextmanager
    def navigation(self, *args, **kwargs):
        with expect_navigation(self, *args, **kwargs) as info:
            yield info
        timing = self.evaluate(NAVIGATION_TIMING)
        if timing:
            _navigations.append(timing)

    Page.expect_navigation = navigation


def _patch_axe() -> None:
    from tests.e2e import axe

    original = axe.violations

    def violations(page):
        started = time.perf_counter()
        try:
            return original(page)
        finally:
            _scans.append(time.perf_counter() - started)

    axe.violations = violations


def pytest_sessionstart(session):
    _patch_server()
    _patch_playwright()
    _patch_axe()


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    started = time.perf_counter()
    yield
    _fixtures.append((fixturedef.argname, time.perf_counter() - started))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    _fixtures.clear()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    for kept in (_requests, _navigations, _scans):
        kept.clear()
    _calls.clear()
    _counts.clear()
    started = time.perf_counter()
    yield
    _reports.append(_report(item.nodeid, time.perf_counter() - started))


def _report(test: str, seconds: float) -> str:
    lines = [f"{test}: call {seconds:.2f} s"]
    by_path: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0])
    for path, taken, queries in _requests:
        row = by_path[path]
        row[0], row[1], row[2] = row[0] + 1, row[1] + taken, row[2] + queries
    served = sum(taken for _, taken, _ in _requests)
    lines.append(f"  server: {len(_requests)} requests, {served:.2f} s")
    for path, (count, taken, queries) in sorted(by_path.items(), key=lambda item: -item[1][1])[:12]:
        lines.append(f"    {taken:6.2f} s  {count:3d}×  {queries:4d} queries  {path}")
    if _scans:
        lines.append(f"  axe-core: {len(_scans)} scans, {sum(_scans):.2f} s")
    lines.append("  Playwright calls (an axe scan's evaluates count in Page.evaluate too):")
    for label, taken in _calls.most_common(12):
        lines.append(f"    {taken:6.2f} s  {_counts[label]:4d}×  {label}")
    if _navigations:
        names = ("first byte", "response end", "DOMContentLoaded", "load")
        medians = ", ".join(
            f"{name} {statistics.median(n[i] for n in _navigations):.0f} ms" for i, name in enumerate(names)
        )
        lines.append(f"  {len(_navigations)} navigations, medians from the request: {medians}")
    slow = [f"{name} {taken:.2f} s" for name, taken in _fixtures if taken >= 0.05]
    if slow:
        lines.append(f"  fixtures set up: {', '.join(slow)}")
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter):
    if _reports:
        terminalreporter.section("where the seconds went (bench/e2e_profile.py)")
        for report in _reports:
            terminalreporter.write_line(report)

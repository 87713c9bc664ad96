"""Browser tests: Playwright for Python driving Debian's Chromium against the live server."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from core.models import StaffMembership
from tests.conftest import fixture_document, import_catalog

# Playwright's sync API runs an event loop in the test thread; Django refuses
# database access from such a thread unless told it is safe (it is: one thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def live_server_sends_at_once():
    """The live server's sockets with TCP_NODELAY, as gunicorn sets it in production. Django's test
    server writes a response's headers and its body in two sends; with Nagle's algorithm on, the body
    waits for the browser's delayed ACK of the headers: some 40 ms on every page and file loaded."""
    from django.test.testcases import QuietWSGIRequestHandler

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QuietWSGIRequestHandler, "disable_nagle_algorithm", True)
        yield


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()


class Screens:
    """Screenshots for docs/screens/, taken only by `make screens` (OKUYAMI_SCREENS set): encoding
    full-page PNGs costs seconds that the ordinary run has no use for."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def take(self, page, name: str, *, full_page: bool = False) -> None:
        if self.folder is not None:
            page.screenshot(path=self.folder / name, full_page=full_page)


def signed_in(context, live_server, username: str) -> None:
    """`username` signed in to the browser `context` without the login form, for the tests that are
    not about logging in (test_interview, test_precheck, test_trial and test_catalog_editing log in
    by the forms): the session a login makes, created in the test database and handed to the
    browser as its cookie. No page is loaded."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


def signed_in_page(browser, live_server, username: str, **options):
    """A new page, 1280×900 in Japanese unless `options` (Playwright's new_context) say otherwise,
    of a browser context `username` is signed in to."""
    context = browser.new_context(
        **{"viewport": {"width": 1280, "height": 900}, "locale": "ja-JP", **options}
    )
    signed_in(context, live_server, username)
    return context.new_page()


@pytest.fixture
def screens() -> Screens:
    target = os.environ.get("OKUYAMI_SCREENS")
    folder = Path(target) if target else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    return Screens(folder)


# --- みほん市 at the counter -------------------------------------------------------------------------

PASSWORD = "okuyami-demo"  # `make run`'s demo users have it too


@pytest.fixture
def demo_counter():
    """The sample city (fixtures/catalogs/sample-city.json) and its counter clerk, demo-counter."""
    municipality = import_catalog(fixture_document("sample-city.json"))
    user = get_user_model().objects.create_user("demo-counter", password=PASSWORD)
    StaffMembership.objects.create(user=user, municipality=municipality, role=StaffMembership.Role.COUNTER)
    return user

"""Content-Security-Policy on every page, and nothing inline left for it to block.

Every URL name of the counter screens is visited by every role, plus every admin page of every
registered model, the API docs and the error pages. Each response must carry the policy (no
'unsafe-inline'), frame denial and the referrer policy; each HTML page is parsed for inline
<script>, <style>, style="" and on…="" attributes and javascript: URLs.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse

from okuyami import services
from okuyami.models import Case
from okuyami.residents.services import extract_import
from procedures.models import Procedure
from tests.conftest import make_case
from tests.okuyami.residents.conftest import TARO, write_extract

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "alice", "bob", "erin", "operator"]
# Every okuyami URL name with the arguments to visit it; a new name without an entry fails the run.
# POST only, PDF, redirects (case-from-record: POST only, below with a resident extract)
NOT_HTML = {
    "home",
    "logout",
    "adjust",
    "finalise",
    "mark",
    "print-pdf",
    "print-forms",
    "print-form",
    "questions",
    "case-from-record",
}


def okuyami_urls(case: Case, finalised: Case) -> dict[str, str]:
    args = {
        "case-detail": [case.pk],
        "case-edit": [case.pk],
        "case-copy": [finalised.pk],
        "case-cancel": [case.pk],
        "reopen": [finalised.pk],
        "case-edition": [finalised.pk, 1],
        "questions": [case.pk],
        "question": [case.pk, "insurance"],
        "answers": [case.pk],
        "result": [case.pk],
        "adjust": [case.pk],
        "finalise": [case.pk],
        "mark": [case.pk],
        "print-preview": [case.pk, "checklist"],
        "print-pdf": [case.pk, "route"],
        "print-forms": [case.pk],
        "print-form": [case.pk, "kokuho_loss", 1],
    }
    return {name: reverse(f"okuyami:{name}", args=args.get(name, [])) for name in url_names("okuyami")}


def url_names(namespace: str) -> list[str]:
    resolver = next(
        p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == namespace
    )
    return [p.name for p in resolver.url_patterns if getattr(p, "name", None)]


def admin_urls() -> list[str]:
    """Index, and each registered model's list, add page and first object's change page."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
    return urls


def municipality_pages(city) -> list[str]:
    return [
        reverse("admin:procedures_municipality_from_template"),
        reverse("admin:procedures_municipality_import", args=[city.pk]),
        reverse("admin:procedures_municipality_preview", args=[city.pk]),
        reverse("admin:procedures_municipality_revisions", args=[city.pk]),
        reverse("admin:procedures_municipality_revision", args=[city.pk, city.revisions.first().pk]),
    ]


class InlineFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block."""

    DATA_TYPES = {"application/json", "application/ld+json"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._script: dict | None = None
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            elif name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            self.scripts += 1
            if "src" not in attributes and (attributes.get("type") or "").lower() not in self.DATA_TYPES:
                self._script = attributes

    def handle_data(self, data):
        if self._script is not None and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def check_headers(response, where: str) -> None:
    policy = response.get("Content-Security-Policy", "")
    assert policy, f"{where}: no Content-Security-Policy"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", where
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'", where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["Referrer-Policy"] == "same-origin", where


@pytest.fixture
def everyone(alice, bob, erin, operator, charlie):
    return {"alice": alice, "bob": bob, "erin": erin, "operator": operator}


@pytest.fixture
def alice_case(alice):
    return make_case(alice.membership.municipality, answers={"insurance": "koki"})


def visit(client, url: str, where: str) -> tuple[int, str | None]:
    response = client.get(url)
    check_headers(response, where)
    is_html = response.get("Content-Type", "").startswith("text/html")
    return response.status_code, response.content.decode() if is_html else None


def test_every_page_has_the_policy_and_nothing_inline(client, everyone, alice_case, city_a):
    finalised = make_case(city_a, answers={"insurance": "kokuho"})
    services.case_finalise(case=finalised, user=everyone["alice"], version=finalised.version)
    urls = okuyami_urls(alice_case, finalised)
    parsed: dict[str, set[str]] = {}
    problems: list[str] = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(everyone[role])
        pages = dict(urls)
        if role in ("bob", "operator"):
            pages |= {url: url for url in admin_urls() + municipality_pages(city_a)}
        pages |= {
            "api docs": reverse("api:docs"),
            "404": "/no-such-page/",
            "admin login": reverse("admin:login"),
        }
        for name, url in pages.items():
            status, html = visit(client, url, f"{role} {url}")
            if html is not None and status in (200, 403, 404):
                parsed.setdefault(name, set()).add(role)
                problems += [f"{role} {url}: {found}" for found in inline_code(html)]
    assert not problems, "\n".join(problems)
    # Every page meant to be HTML was parsed for some role, the admin pages for the editor.
    unparsed = [name for name in urls if name not in NOT_HTML and name not in parsed]
    assert not unparsed, unparsed
    assert {"alice", "bob", "erin", "operator"} <= parsed["statistics"]
    assert "operator" in parsed[reverse("admin:core_auditevent_changelist")]
    assert "bob" in parsed[reverse("admin:procedures_procedure_changelist")]
    assert parsed["api docs"] >= {"alice"}


def test_the_records_pages_have_the_policy_and_nothing_inline(client, alice, city_a, tmp_path):
    """新しい受付 from the records, with a resident extract to search and open (POST only)."""
    extract_import(municipality=city_a, source=write_extract(tmp_path / "records"), actor="test")
    client.force_login(alice)
    posts = {
        "okuyami:case-records": {"kana": "ミホン", "death_date": "2026-11-20"},
        "okuyami:case-from-record": {"atena_number": TARO[0]},
    }
    for name, data in posts.items():
        response = client.post(reverse(name), data)
        assert response.status_code == 200, name
        check_headers(response, name)
        assert "見本 太郎" in response.content.decode(), name
        assert not inline_code(response.content.decode()), name


def test_the_api_docs_load_their_script_from_a_url(client, alice):
    client.force_login(alice)
    html = client.get(reverse("api:docs")).content.decode()
    assert not inline_code(html)
    assert '<script src="/api/v1/docs/?script=' in html
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_csrf_failure_and_lockout_pages_carry_the_policy(client, alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("okuyami:login"), {"username": "alice", "password": "x"})
    assert response.status_code == 403
    check_headers(response, "csrf failure")
    assert not inline_code(response.content.decode())


def test_the_finder_sees_what_the_policy_blocks():
    html = (
        '<p style="color:red" onclick="x()">a</p><style>p{}</style><script>alert(1)</script>'
        '<a href="javascript:void(0)">b</a><script src="/ok.js"></script>'
        '<script type="application/json">{"a": 1}</script>'
    )
    assert len(inline_code(html)) == 5


def test_print_templates_are_clean_too(client, alice, alice_case):
    """WeasyPrint is not a browser, but the print preview is: no inline code in any document."""
    client.force_login(alice)
    for document in ("checklist", "route", "application"):
        html = client.get(reverse("okuyami:print-preview", args=[alice_case.pk, document])).content.decode()
        assert not inline_code(html), document


def test_the_catalog_admin_change_form_is_clean(client, bob, city_a):
    client.force_login(bob)
    procedure = Procedure.objects.filter(municipality=city_a).first()
    html = client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk])).content.decode()
    assert not inline_code(html)

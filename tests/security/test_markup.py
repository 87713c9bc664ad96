"""Nothing an editor or a counter types becomes markup: every screen and admin page, walked.

Every editor-controlled field of the catalog (municipality, place, counter name, location,
phone and hours, question text and help, choice labels, procedure name, documents, notes,
description and url), every free-text field of a case, an adjustment note and a user name
typed at the login all hold MARK. Then every named URL of the counter screens and the admin
is requested by the roles that use it (a new URL fails the test until it is walked), forms
are posted back with errors that echo the input, and no HTML response may hold MARK raw.
"""

import json
import uuid

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.timezone import now
from rest_framework.authtoken.models import Token

from core.models import AuditEvent, StaffMembership
from okuyami import printing
from okuyami.models import Case
from okuyami.precheck.models import PrecheckCode
from okuyami.residents.services import extract_import
from procedures.catalog_io import read_catalog
from procedures.models import ApplicationForm, CatalogRevision, Municipality, Procedure, Question
from procedures.services import catalog_import, form_pdf_read, form_save
from tests.conftest import build_catalog_document
from tests.form_builders import demo_pdf
from tests.okuyami.residents.conftest import HANAKO, TARO, write_extract
from tests.procedures.test_admin import procedure_form

pytestmark = pytest.mark.django_db

# Closes an attribute (either quote) and opens an element: raw anywhere, it is markup.
MARK = "\"'><oky-x>"
RAW = "<oky-x"
ESCAPED = "&lt;oky-x&gt;"

# URL names not walked, and why.
NOT_HTML = {
    "okuyami:print-pdf": "a PDF",
    "okuyami:print-forms": "a PDF",
    "okuyami:print-form": "a PDF",
    "admin:procedures_procedure_form_page": "a PNG image of a form's page",
    "admin:procedures_municipality_export": "a JSON or xlsx file",
    "admin:jsi18n": "JavaScript",
    "admin:autocomplete": "JSON (the admin's autocomplete widget)",
    "admin:view_on_site": "a redirect to the site, no model here has one",
    "okuyami:logout": "POST only, no page",
    "admin:logout": "POST only, no page",
}


def marked(text: str) -> str:
    return f"{text}{MARK}"


def marked_catalog() -> dict:
    """The contract city with MARK in every string an editor writes."""
    document = build_catalog_document()
    document["municipality"]["name"] = marked("船橋市")
    for place in document["places"]:
        place["name"] = marked(place["name"])
    for counter in document["counters"]:
        for name in ("name", "location", "phone", "hours"):
            counter[name] = marked(counter.get(name) or name)
    for question in document["questions"]:
        question["text"] = marked(question["text"])
        question["help"] = marked(question.get("help") or "補足")
        for choice in question.get("choices") or []:
            choice["label"] = marked(choice["label"])
    for procedure in document["procedures"]:
        procedure["name"] = marked(procedure["name"])
        procedure["documents"] = [marked(text) for text in procedure.get("documents") or ["持ち物"]]
        for name in ("deadline_note", "description"):
            procedure[name] = marked(procedure.get(name) or name)
        procedure["url"] = "https://example.jp/?q=" + MARK
    return document


CASE = {
    "deceased_name": marked("船橋 太郎"),
    "deceased_kana": "フナバシ タロウ",
    "deceased_birth_date": "1945-03-10",
    "death_date": "2026-11-20",
    "deceased_address": marked("千葉県船橋市湊町2-10-25"),
    "visitor_name": marked("船橋 花子"),
    "visitor_kana": "フナバシ ハナコ",
    "visitor_relation": "配偶者",
    "visitor_phone": "047-000-0000",
    "visitor_address": marked("千葉県船橋市本町"),
}
ANSWERS = {
    "head_of_household": "yes",
    "household_left": "2",
    "insurance": "koki",
    "pension": "yes",
    "vehicles": ["gentsuki"],
    "care": "yes",
    "moved_in": "2026-01-10",
}


def named_urls(resolver=None, namespace: str = ""):
    """(name, parameter names) of every named URL pattern, namespaces included."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, tuple(pattern.pattern.regex.groupindex)


class Walk:
    """Requests pages, checks each HTML answer for raw markup, remembers which URL names it saw."""

    def __init__(self):
        self.seen: set[str] = set()
        self.escaped_on: set[str] = set()
        self.pages = 0

    def check(self, response, where: str) -> None:
        assert response.status_code < 500, where
        if not response.get("Content-Type", "").startswith("text/html"):
            return
        html = response.content.decode()
        self.pages += 1
        assert RAW not in html, f"raw markup on {where}"
        if ESCAPED in html:
            self.escaped_on.add(where)

    def get(self, client: Client, name: str, *args, query=None, **kwargs):
        self.seen.add(name)
        url = reverse(name, args=args, kwargs=kwargs or None)
        response = client.get(url, query or {})
        self.check(response, f"GET {url}")
        return response

    def post(self, client: Client, name: str, data, *args, follow: bool = True):
        self.seen.add(name)
        url = reverse(name, args=args)
        response = client.post(url, data, follow=follow)
        self.check(response, f"POST {url}")
        return response


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def marked_city(city_a):
    """City A with the marked catalog imported over the plain one (a revision to diff and undo)."""
    catalog_import(catalog=read_catalog(marked_catalog()), note=marked("取り込み"))
    # A form on a procedure that applies, MARK in its title and in the fixed text it prints.
    pdf, data = form_pdf_read(demo_pdf("kokuho_loss"))
    form_save(
        procedure=Procedure.objects.get(municipality=city_a, key="koki_loss"),
        form=None,
        title=marked("後期高齢者医療 資格喪失届"),
        fields=[{"page": 1, "x": 20, "y": 30, "value": "text:" + MARK}],
        pdf=pdf,
        data=data,
    )
    return Municipality.objects.get(pk=city_a.pk)


def test_no_editor_or_counter_text_comes_out_raw_on_any_screen_or_admin_page(
    marked_city, alice, bob, erin, operator, tmp_path
):
    walk = Walk()
    counter, editor, manager, staff = (logged_in(u) for u in (alice, bob, erin, operator))

    # --- The counter: a case with MARK in its free text, asked every question ---
    walk.get(counter, "okuyami:home")
    walk.get(counter, "okuyami:case-create")
    refused = walk.post(counter, "okuyami:case-create", {**CASE, "deceased_kana": "Funabashi" + MARK})
    assert "カタカナまたはひらがな" in refused.content.decode()  # re-rendered, MARK in value="…"
    walk.post(counter, "okuyami:case-create", {**CASE, "submission": str(uuid.uuid4())})
    case = Case.objects.get()
    walk.get(counter, "okuyami:case-list")
    walk.get(counter, "okuyami:case-detail", case.pk)
    walk.get(counter, "okuyami:case-edit", case.pk)
    walk.get(counter, "okuyami:questions", case.pk)
    for key, value in ANSWERS.items():
        walk.get(counter, "okuyami:question", case.pk, key)
        walk.post(counter, "okuyami:question", {"answer": value}, case.pk, key)
    walk.get(counter, "okuyami:answers", case.pk)
    drop = {"procedure": "seal", "action": "drop", "family_note": MARK, "staff_note": MARK}
    walk.post(counter, "okuyami:adjust", drop, case.pk)
    walk.get(counter, "okuyami:result", case.pk)
    for document in printing.DOCUMENTS:
        walk.get(counter, "okuyami:print-preview", case.pk, document)
        walk.get(counter, "okuyami:print-preview", case.pk, document, query={"large": "1"})
    walk.post(counter, "okuyami:finalise", {"version": Case.objects.get().version}, case.pk)
    walk.post(counter, "okuyami:mark", {"procedure": "koki_loss", "status": "done"}, case.pk)
    walk.get(counter, "okuyami:result", case.pk)
    walk.get(counter, "okuyami:relay")
    # A correction (a reason typed with MARK, refused when too long, then taken) and the editions.
    walk.get(counter, "okuyami:reopen", case.pk)
    too_long = {"reason": MARK * 30, "version": Case.objects.get().version}
    assert "200文字以内" in walk.post(counter, "okuyami:reopen", too_long, case.pk).content.decode()
    walk.post(counter, "okuyami:reopen", {"reason": MARK, "version": Case.objects.get().version}, case.pk)
    walk.post(counter, "okuyami:finalise", {"version": Case.objects.get().version}, case.pk)
    assert Case.objects.get(pk=case.pk).snapshot["edition"] == 2
    walk.get(counter, "okuyami:case-edition", case.pk, 1)
    walk.get(counter, "okuyami:case-edition", case.pk, 2)
    walk.get(counter, "okuyami:case-detail", case.pk)
    # A copy (its form filled from the case), then the copy cancelled with a reason.
    walk.get(counter, "okuyami:case-copy", case.pk)
    copy = {**CASE, "submission": str(uuid.uuid4())}
    walk.post(counter, "okuyami:case-copy", copy, case.pk)
    copied = Case.objects.exclude(pk=case.pk).get()
    walk.get(counter, "okuyami:case-cancel", copied.pk)
    walk.post(counter, "okuyami:case-cancel", {"reason": MARK, "version": copied.version}, copied.pk)
    assert Case.objects.get(pk=copied.pk).status == Case.Status.CANCELLED
    walk.get(counter, "okuyami:case-detail", copied.pk)
    walk.get(counter, "okuyami:case-list", query={"state": "cancelled"})
    walk.get(counter, "okuyami:password-change")
    walk.get(counter, "okuyami:statistics")

    # --- 新しい受付 from the records: a deceased and a household member with MARK in name and address ---
    residents = [(*row[:2], marked(row[2]), *row[3:7], marked(row[7]), *row[8:]) for row in (TARO, HANAKO)]
    extract_import(municipality=marked_city, source=write_extract(tmp_path / "records", residents), actor="t")
    walk.get(counter, "okuyami:case-records")
    found = walk.post(counter, "okuyami:case-records", {"kana": "ミホン", "death_date": "2026-11-20"})
    assert ESCAPED in found.content.decode()  # the marked name was found, and shown escaped
    walk.post(counter, "okuyami:case-from-record", {"atena_number": TARO[0]})

    # --- A user name typed at the login is shown on the lockout pages ---
    anonymous = Client()
    walk.get(anonymous, "okuyami:login")
    for _ in range(5):
        walk.post(anonymous, "okuyami:login", {"username": MARK, "password": "wrong"})
    walk.get(anonymous, "admin:login")

    # --- The municipality's 管理者 and the operator's own screens ---
    for user in (manager, staff):
        walk.get(user, "okuyami:audit-log")
        walk.get(user, "okuyami:lockouts")
        walk.get(user, "residents:import")
        walk.get(user, "residents:import-confirm", "122041")
        walk.get(user, "residents:import-decide", "122041")
        walk.get(user, "okuyami:statistics", query={"municipality": "122041"})
        walk.get(user, "okuyami:password-change")

    # --- The families' pre-check: the greeting and the catalog's texts, then the code at the counter ---
    Municipality.objects.filter(pk=marked_city.pk).update(
        precheck_enabled=True, precheck_greeting=marked("ご案内"), precheck_phone="047-000-0000"
    )
    family, code = Client(), marked_city.code
    walk.get(family, "precheck:index")
    walk.get(family, "precheck:start", code)
    walk.get(family, "precheck:death", code)
    walk.post(family, "precheck:death", {"answer": "<oky-x>"}, code)  # refused, re-rendered
    walk.post(family, "precheck:death", {"answer": "2026-11-20"}, code)
    walk.get(family, "precheck:age", code)
    walk.post(family, "precheck:age", {"answer": "80"}, code)
    for key, value in ANSWERS.items():
        walk.get(family, "precheck:question", code, key)
        walk.post(family, "precheck:question", {"answer": value}, code, key)
    walk.get(family, "precheck:answers", code)
    walk.get(family, "precheck:result", code)
    walk.get(family, "precheck:checklist-pdf", code)
    walk.post(family, "precheck:code-issue", {}, code)
    walk.get(family, "precheck:code", code)
    issued = PrecheckCode.objects.get().code
    walk.get(counter, "precheck:case-from-code")
    walk.post(counter, "precheck:case-from-code", {"code": "<oky-x>"})  # refused, re-rendered
    walk.post(counter, "precheck:case-from-code", {"code": issued})
    walk.post(family, "precheck:forget", {}, code)

    # --- The admin: an edit that fails with MARK in its message, one that succeeds, an import ---
    procedure = Procedure.objects.get(municipality=marked_city, key="koki_loss")
    change = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    refused = editor.post(change, procedure_form(procedure, applies_if='insurance == "<oky-x>"'))
    walk.check(refused, f"POST {change} (refused)")
    assert "に選択肢「&lt;oky-x&gt;」はありません" in refused.content.decode()
    walk.check(
        editor.post(change, procedure_form(procedure, name=marked("後期高齢者医療"))), f"POST {change}"
    )
    for content in (json.dumps({"format": MARK}), json.dumps(marked_catalog() | {MARK: 1}), "{" + MARK):
        upload = SimpleUploadedFile("catalog.json", content.encode())
        walk.post(editor, "admin:procedures_municipality_import", {"file": upload}, marked_city.pk)
    changed = marked_catalog()
    changed["procedures"][0]["name"] = marked("別の名前")
    upload = SimpleUploadedFile(marked("c") + ".json", json.dumps(changed).encode())
    confirm = walk.post(editor, "admin:procedures_municipality_import", {"file": upload}, marked_city.pk)
    assert "取り込む前の確認" in confirm.content.decode()
    preview = {"run": "1", "death_date": "2026-11-20", **{f"q_{k}": v for k, v in ANSWERS.items()}}
    walk.get(editor, "admin:procedures_municipality_preview", marked_city.pk, query=preview)
    walk.get(editor, "admin:procedures_municipality_preview", marked_city.pk, query={"run": "1"})

    # --- Every admin page, for the operator and for the editor ---
    revision = CatalogRevision.objects.filter(municipality=marked_city).order_by("-pk")[0]
    objects = admin_objects(marked_city, case_user=alice)
    for user in (staff, editor):
        for name, params in named_urls():
            if not name.startswith("admin:") or name in NOT_HTML or name in ("admin:login",):
                continue
            kwargs = admin_kwargs(name, params, objects, marked_city, revision)
            if kwargs is None:
                continue
            for each in kwargs:
                walk.get(user, name, **each)

    # Every named page of the screens and the admin was requested (or is listed as not HTML).
    screens = ("okuyami", "admin", "residents", "precheck")
    every = {name for name, _ in named_urls() if name.split(":")[0] in screens}
    assert every - walk.seen - set(NOT_HTML) == set()
    # MARK really reached the pages, escaped: the walk is not vacuous.
    for fragment in (
        "/admin/procedures/municipality/",
        "/admin/precheck/publicpage/",
        "/print/checklist/",
        "/result/",
        "/lockouts/",
        "/forms/",
        f"/check/{marked_city.code}/",
        "/cases/new/from-code/",
    ):
        assert any(fragment in where for where in walk.escaped_on), fragment
    assert any("/preview/" in where for where in walk.escaped_on)
    assert walk.pages > 150


def admin_objects(municipality, *, case_user) -> dict[str, object]:
    """One object per admin model label ("procedures_procedure"): the one holding MARK."""
    Group.objects.create(name=marked("グループ"))
    # Not written by default (AXES_ENABLE_ACCESS_FAILURE_LOG), but the operator's admin lists it.
    AccessFailureLog.objects.create(
        username=MARK,
        ip_address="10.0.0.1",
        user_agent=MARK,
        http_accept=MARK,
        path_info=MARK,
        attempt_time=now(),
    )
    Token.objects.create(user=case_user)
    question = Question.objects.get(municipality=municipality, key="insurance")
    procedure = Procedure.objects.get(municipality=municipality, key="koki_loss")
    return {
        "auth_group": Group.objects.get(),
        "auth_user": get_user_model().objects.get(username=case_user.username),
        "axes_accessattempt": AccessAttempt.objects.filter(username=MARK).first(),
        "axes_accesslog": AccessLog.objects.first(),
        "axes_accessfailurelog": AccessFailureLog.objects.first(),
        "procedures_municipality": municipality,
        "precheck_publicpage": municipality,
        "procedures_place": procedure.counter.place,
        "procedures_counter": procedure.counter,
        "procedures_question": question,
        "procedures_procedure": procedure,
        "core_staffmembership": StaffMembership.objects.get(user=case_user),
        "core_auditevent": AuditEvent.objects.filter(detail__contains="<").first()
        or AuditEvent.objects.first(),
        "authtoken_tokenproxy": case_user,  # the token admin's ids are its user's
    }


def admin_kwargs(name, params, objects, municipality, revision) -> list[dict] | None:
    """The keyword arguments to request `name` with: one or more pages, or None to leave it."""
    label = name.removeprefix("admin:").rsplit("_", 1)[0]
    if "revision_id" in params:
        modes = ("undo", "restore") if "mode" in params else (None,)
        return [
            {"object_id": municipality.pk, "revision_id": revision.pk, **({"mode": mode} if mode else {})}
            for mode in modes
        ]
    if "form_id" in params:
        procedure = objects["procedures_procedure"]
        form = ApplicationForm.objects.get(procedure=procedure)
        return [{"object_id": procedure.pk, "form_id": form.pk}]
    if name == "admin:app_list":
        return [{"app_label": app} for app in ("procedures", "precheck", "core", "auth", "axes", "authtoken")]
    if name == "admin:auth_user_password_change":
        return [{"id": objects["auth_user"].pk}]
    if name.startswith("admin:procedures_municipality_") and "object_id" in params:
        return [{"object_id": municipality.pk}]
    if "object_id" in params:
        obj = objects.get(label) or objects.get(label.rsplit("_", 1)[0])
        return [{"object_id": obj.pk}] if obj is not None else None
    return [{}]

"""Builders shared by the tests: the contract-city catalog and its import."""

import copy
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.db.backends.signals import connection_created

from procedures.catalog_io import read_catalog
from procedures.services import catalog_import

DATA = Path(__file__).parent / "data"
FIXTURE_CATALOGS = Path(__file__).resolve().parents[1] / "fixtures" / "catalogs"
CONTRACT_CITY = json.loads((DATA / "contract-city.json").read_text(encoding="utf-8"))
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _no_fsync_for_the_test_database(sender, connection, **kwargs) -> None:
    """SQLite's test database is thrown away after the run, so its commits need not wait for the
    disk: without this every commit of a transactional test (the live server's writes, the flush
    after each such test, the migrations that build the database) waits for fsync, some 2 ms on a
    quiet disk and tens of ms on a busy one. Durability only: locking and isolation are unchanged."""
    if connection.vendor == "sqlite":  # on the driver's connection: no query that tests count
        connection.connection.execute("PRAGMA synchronous = OFF")


connection_created.connect(_no_fsync_for_the_test_database)


def edit(document: dict, path: str, value: object) -> dict:
    """Set `path` ("procedures[3].applies_if") in place; the value ... removes the field."""
    steps = [int(index) if index else name for name, index in _STEP.findall(path)]
    *parents, last = steps
    target = document
    for step in parents:
        target = target[step]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return document


def build_catalog_document(edits: dict[str, object] | None = None, /, **overrides) -> dict:
    """A fresh copy of tests/data/contract-city.json (船橋市 122041), changed as asked."""
    document = copy.deepcopy(CONTRACT_CITY)
    document.update(copy.deepcopy(overrides))
    for path, value in (edits or {}).items():
        edit(document, path, copy.deepcopy(value))
    return document


@pytest.fixture
def catalog_document():
    """catalog_document({"places[0].name": "…"}, format="…") -> a fresh document."""
    return build_catalog_document


@pytest.fixture
def contract_catalog():
    """The compiled contract-city catalog."""
    return read_catalog(build_catalog_document())


def fixture_document(name: str) -> dict:
    """A catalog of fixtures/catalogs/ ("sample-city.json", "national-template.json")."""
    return json.loads((FIXTURE_CATALOGS / name).read_text(encoding="utf-8"))


def import_catalog(document: dict | None = None, **options):
    """The Municipality after catalog_import of `document` (the contract city by default)."""
    municipality, _ = catalog_import(catalog=read_catalog(document or build_catalog_document()), **options)
    return municipality


@pytest.fixture
def imported(db):
    """imported(document=None) -> the Municipality after catalog_import of the document."""
    return import_catalog


# --- Cases ---------------------------------------------------------------------------------------

CASE_DETAILS = {
    "deceased_name": "船橋 太郎",
    "deceased_kana": "フナバシ タロウ",
    "deceased_birth_date": date(1945, 3, 10),
    "death_date": date(2026, 11, 20),
    "deceased_address": "千葉県船橋市湊町2-10-25",
    "visitor_name": "船橋 花子",
    "visitor_kana": "ふなばし はなこ",
    "visitor_relation": "配偶者",
    "visitor_phone": "047-000-0000",
    "visitor_address": "",
}


def make_case(municipality, **fields):
    """A case of `municipality` as the reception form makes it (船橋 太郎, died 2026-11-20), saved
    straight to the database: `fields` change or add anything (answers, status, snapshot …)."""
    from okuyami.models import Case

    return Case.objects.create(municipality=municipality, **{**CASE_DETAILS, **fields})


def case_form_data(**changes) -> dict:
    """make_case's case as the reception form posts it (dates as YYYY-MM-DD): `changes` change
    or add fields."""
    fields = {**CASE_DETAILS, **changes}
    return {name: value.isoformat() if isinstance(value, date) else value for name, value in fields.items()}


def case_input(*, birth_date="1945-03-10", unknown=(), **answers) -> dict:
    """What `evaluate` reads (CLI and API) for the contract city: 船橋 太郎 (died 2026-11-20, 81),
    後期高齢者, head of a household two stay in, a 原付 in his name; `answers` change or add
    answers, `unknown` lists the questions answered わからない."""
    usual = {"insurance": "koki", "head_of_household": True, "household_left": 2, "vehicles": ["gentsuki"]}
    return {
        "deceased": {"birth_date": birth_date, "death_date": "2026-11-20"},
        "answers": usual | answers,
        "unknown": list(unknown),
    }


# --- The cast: alice (窓口), bob (編集者) and erin (管理者) in city A, charlie (窓口) in city B ---


@pytest.fixture
def city_a(imported):
    """船橋市 (122041), the contract-city catalog."""
    return imported()


@pytest.fixture
def city_b(imported):
    """千代田区 (131016): the same rules, another municipality."""
    return imported(
        build_catalog_document(municipality={"code": "131016", "name": "千代田区", "prefecture": "東京都"})
    )


def _staff(username, municipality, role):
    from django.contrib.auth import get_user_model

    from core.models import StaffMembership

    # Editors work in the admin, so they are staff (as services.staff_membership_set makes them).
    user = get_user_model().objects.create_user(
        username, password="pass-" + username, is_staff=role == "editor"
    )
    StaffMembership.objects.create(user=user, municipality=municipality, role=role)
    return user


def _member(username: str, city: str, role: str, doc: str):
    """The fixture `username`: staff of the municipality the fixture `city` gives, in `role`."""

    def member(request):
        return _staff(username, request.getfixturevalue(city), role)

    member.__doc__ = doc
    return pytest.fixture(member, name=username)


alice = _member("alice", "city_a", "counter", "窓口 of city A.")
bob = _member("bob", "city_a", "editor", "編集者 of city A.")
charlie = _member("charlie", "city_b", "counter", "窓口 of city B.")
dave = _member("dave", "city_b", "editor", "編集者 of city B.")
erin = _member(
    "erin", "city_a", "manager", "管理者 of city A: the audit log and the statistics, no cases, no catalog."
)


@pytest.fixture
def operator(db):
    """The superuser: every municipality."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("operator", password="pass-operator")


# --- No silent skips: a skipped or xfailed test fails the run. ---

_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        message = f"{len(_skipped)} skipped: skips are not allowed, so the run fails"
        terminalreporter.write_line(message, red=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and other cached state never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """The cast's passwords are not under test: a fast hasher saves a quarter second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""The live lookup (OKUYAMI_RECORDS_URL) against a real local HTTP server started by the test."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from core.models import AuditEvent
from okuyami.residents import live
from okuyami.residents.services import (
    UNAVAILABLE,
    RecordNotFound,
    RecordsUnavailable,
    extract_import,
    record_open,
)
from tests.okuyami.residents.conftest import EXAMPLE, EXAMPLE_DOCUMENT

# The endpoint answers more than the prefills take: a question without one, a value that does not fit.
DOCUMENT = {
    **EXAMPLE_DOCUMENT,
    "answers": {**EXAMPLE_DOCUMENT["answers"], "not_prefilled": True, "seal": "yes"},
}
PREFILL = [
    ("head_of_household", "yes_no", (), "household.head", None),
    ("insurance", "choice", ("kokuho", "koki"), "health.insurance", None),
    ("seal", "yes_no", (), "seal.registered", None),
]


class FakeRecords(BaseHTTPRequestHandler):
    """Answers by the 宛名番号 in the path: 1 a case document, 404 none, 500 an error, 3 slowly …"""

    seen: list[dict] = []

    def do_GET(self):
        number = self.path.rsplit("/", 1)[-1]
        FakeRecords.seen.append({"path": self.path, "authorization": self.headers.get("Authorization")})
        if number == "3":
            time.sleep(2)
        if number == "404":
            return self._send(404, b"{}")
        if number == "500":
            return self._send(500, b"oops")
        if number == "7":
            return self._send(200, b"<html>not json</html>")
        if number == "8":
            return self._send(200, json.dumps({"deceased": {"name": "x"}}).encode())
        if number == "9":
            self.send_response(302)
            self.send_header("Location", "http://example.com/elsewhere")
            self.end_headers()
            return None
        return self._send(200, json.dumps(DOCUMENT, ensure_ascii=False).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def records_server():
    """A local server on a free port; its base URL."""
    FakeRecords.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRecords)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def live_records(settings, records_server):
    settings.OKUYAMI_RECORDS_URL = records_server + "/records/{code}/{number}"
    settings.OKUYAMI_RECORDS_TOKEN = "secret-token"
    settings.OKUYAMI_RECORDS_TIMEOUT = 1
    settings.OKUYAMI_RECORDS_ALLOW_LOCAL_HTTP = True
    return settings


@pytest.mark.django_db
def test_the_live_lookup_gives_the_case_document_with_the_prefilled_answers_only(live_records, alice):
    document = record_open(user=alice, atena_number="1", prefill=PREFILL)
    assert document["deceased"] == DOCUMENT["deceased"]
    assert document["household"] == DOCUMENT["household"]
    # Only questions with a prefill, and only answers that fit them.
    assert document["answers"] == EXAMPLE_DOCUMENT["answers"]
    assert FakeRecords.seen == [{"path": "/records/122041/1", "authorization": "Bearer secret-token"}]
    assert AuditEvent.objects.get(action="view").detail == "住民記録を参照（宛名番号 1）"


@pytest.mark.django_db
def test_the_live_lookup_answers_when_last_nights_extract_does_not_hold_the_death(
    live_records, alice, city_a, extract_dir
):
    extract_import(municipality=city_a, source=extract_dir(EXAMPLE), actor="test")
    assert record_open(user=alice, atena_number="300000000101", prefill=PREFILL)["answers"] == {
        "head_of_household": True
    }  # from the extract: no call
    assert FakeRecords.seen == []
    document = record_open(user=alice, atena_number="1", prefill=PREFILL)  # not in the extract
    assert document["deceased"]["name"] == "見本 太郎"
    assert len(FakeRecords.seen) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "error", "reason"),
    [
        ("404", RecordNotFound, "the live lookup has no such deceased person"),
        ("500", RecordsUnavailable, "the endpoint answered HTTP 500"),
        ("3", RecordsUnavailable, "the request timed out"),
        ("7", RecordsUnavailable, "the endpoint's answer is not JSON"),
        ("8", RecordsUnavailable, "the endpoint's answer is not a case document"),
        ("9", RecordsUnavailable, "the endpoint answered HTTP 302"),
    ],
)
def test_a_failed_live_lookup_is_a_clean_domain_error(live_records, alice, number, error, reason, caplog):
    started = time.monotonic()
    with pytest.raises(error) as raised:
        record_open(user=alice, atena_number=number, prefill=PREFILL)
    assert time.monotonic() - started < 1.9  # the timeout is 1 s: the counter is not kept waiting
    assert raised.value.reason.startswith(reason)
    assert raised.value.message.endswith("手入力で続けてください")
    # The log says which municipality's lookup failed and why, never whose record.
    logged = [] if error is RecordNotFound else [f"records lookup for 122041 failed: {raised.value.reason}"]
    assert [record.getMessage() for record in caplog.records] == logged


@pytest.mark.django_db
def test_a_server_that_does_not_answer_at_all(settings, alice):
    settings.OKUYAMI_RECORDS_URL = "http://127.0.0.1:9/{number}"  # discard port: nothing listens
    settings.OKUYAMI_RECORDS_ALLOW_LOCAL_HTTP = True
    with pytest.raises(RecordsUnavailable) as raised:
        record_open(user=alice, atena_number="1", prefill=PREFILL)
    assert raised.value.message == UNAVAILABLE
    assert raised.value.reason.startswith("the request failed")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "allow", "reason"),
    [
        ("http://127.0.0.1:9/{number}", False, "must be an https:// URL"),
        ("http://records.example.jp/{number}", True, "plain http:// is allowed only to this machine"),
        ("ftp://records.example.jp/{number}", True, "must be an https:// URL"),
        ("https:///{number}", False, "is not a URL with a host"),
    ],
)
def test_only_https_is_used_and_plain_http_only_to_this_machine(settings, alice, url, allow, reason):
    settings.OKUYAMI_RECORDS_URL = url
    settings.OKUYAMI_RECORDS_ALLOW_LOCAL_HTTP = allow
    with pytest.raises(RecordsUnavailable) as raised:
        record_open(user=alice, atena_number="1", prefill=PREFILL)
    assert reason in raised.value.reason
    with pytest.raises(SystemCheckError, match=r"residents.E001"):
        call_command("check")


def test_the_check_accepts_https_and_a_local_fake(settings):
    settings.OKUYAMI_RECORDS_URL = "https://records.example.lg.jp/okuyami/{number}"
    call_command("check")
    settings.OKUYAMI_RECORDS_URL = "http://localhost:8123/{number}"
    settings.OKUYAMI_RECORDS_ALLOW_LOCAL_HTTP = True
    call_command("check")


@pytest.mark.parametrize(
    ("template", "url"),
    [
        ("https://r.example/{code}/{number}", "https://r.example/122041/300000000101"),
        ("https://r.example/okuyami", "https://r.example/okuyami?number=300000000101"),
        (
            "https://r.example/okuyami?city={code}",
            "https://r.example/okuyami?city=122041&number=300000000101",
        ),
    ],
)
def test_the_number_goes_in_the_path_or_the_query(template, url):
    assert live.lookup_url(template, number="300000000101", code="122041") == url


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (DOCUMENT, None),
        ({**DOCUMENT, "answers": {}, "household": []}, None),
        ([], "not a JSON object"),
        ({**DOCUMENT, "extra": 1}, "unknown field extra"),
        (
            {**DOCUMENT, "deceased": {**DOCUMENT["deceased"], "death_date": "2026/11/20"}},
            "deceased.death_date",
        ),
        ({**DOCUMENT, "deceased": {**DOCUMENT["deceased"], "name": ""}}, "deceased.name must be text"),
        ({**DOCUMENT, "household": [{"name": "x"}]}, "household[0] must hold exactly"),
        ({**DOCUMENT, "answers": []}, "answers is not an object"),
    ],
)
def test_what_counts_as_a_case_document(document, problem):
    found = live.case_document_problem(document)
    assert (found is None) if problem is None else (problem in found)

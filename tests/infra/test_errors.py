"""Errors answer cleanly: 503 in Japanese (screens) or JSON (API) when the database is down."""

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def take_the_database_down(monkeypatch):
    """The database refuses every query, as during a PostgreSQL restart."""
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    monkeypatch.setattr(CursorWrapper, "executemany", refuse)


@pytest.fixture
def database_down(monkeypatch):
    take_the_database_down(monkeypatch)


def test_screens_answer_503_in_japanese_when_the_database_is_down(alice, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(alice)  # the session lives in the database: reading it fails first
    take_the_database_down(monkeypatch)
    response = client.get("/cases/")
    assert response.status_code == 503
    assert "データベースに接続できません" in response.content.decode()
    assert response["Retry-After"] == "5"


def test_the_api_answers_503_json_when_the_database_is_down(database_down):
    response = Client(raise_request_exception=False).post(
        "/api/v1/municipalities/122041/evaluate", {}, content_type="application/json"
    )
    assert response.status_code == 503
    assert response.json()["errors"][0]["message"].startswith("The database is unavailable")


def test_healthz_reports_the_database(database_down):
    assert Client().get("/healthz").status_code == 503
    assert Client().get("/healthz/live").status_code == 200


def test_an_unknown_api_path_answers_json_404():
    response = Client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"field": None, "message": "Not found."}]}


def test_an_outage_is_logged_in_one_line_without_a_traceback(alice, monkeypatch, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    take_the_database_down(monkeypatch)
    from core.web.log_filters import OutageWithoutTraceback

    caplog.handler.addFilter(OutageWithoutTraceback())
    client.get("/cases/")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and records[0].getMessage() == "Service Unavailable: /cases/"
    assert records[0].exc_info is None and "Traceback" not in caplog.text
    from django.conf import settings

    assert settings.LOGGING["handlers"]["console"]["filters"] == ["outage"]


def test_a_session_that_cannot_be_saved_in_an_outage_answers_503_not_400(alice, monkeypatch):
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.backends.db import SessionStore

    def save_during_outage(self, must_create=False):
        try:
            raise OperationalError("the database system is shutting down")
        except OperationalError as error:
            raise UpdateError from error  # a failed save, as in Django's database backend

    client = Client(raise_request_exception=False)
    client.force_login(alice)
    monkeypatch.setattr(SessionStore, "save", save_during_outage)
    response = client.get("/cases/")
    assert response.status_code == 503
    assert "データベースに接続できません" in response.content.decode()

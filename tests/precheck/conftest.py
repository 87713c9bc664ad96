"""Builders for the pre-check tests: a municipality that publishes its page, and a family's browser."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from procedures.answer_fields import UNKNOWN

DEATH = "2026-11-20"
# The contract city's questions answered as a family might; `age` is the age at death.
ANSWERS = {
    "head_of_household": True,
    "household_left": 1,
    "insurance": "kokuho",
    "pension": UNKNOWN,
    "vehicles": ["gentsuki"],
    "moved_in": "2026-03-01",
}


@pytest.fixture
def public_city(city_a):
    """船橋市 with its pre-check page on."""
    city_a.precheck_enabled = True
    city_a.precheck_phone = "047-000-0000"
    city_a.save()
    return city_a


def form_value(value):
    """What a browser posts for an answer as a case stores it."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, int):
        return str(value)
    return value


class Family:
    """A family's browser on one municipality's public pages (its cookies kept between requests)."""

    def __init__(self, code: str, client: Client | None = None):
        self.code = code
        self.client = client or Client()

    def url(self, name: str, *args) -> str:
        return reverse(f"precheck:{name}", args=[self.code, *args])

    def get(self, name: str, *args, **options):
        return self.client.get(self.url(name, *args), **options)

    def post(self, path: str, value=None, *, unknown: bool = False, **extra):
        data = {"dont_know": "1"} if unknown else {"answer": form_value(value)}
        return self.client.post(path, {**data, **extra})

    def walk(self, *, death: str = DEATH, age=78, answers: dict | None = None) -> dict:
        """Answer every page from the date of death on; the questions asked, in order, with the
        answers given. Questions not in `answers` get a plain answer; UNKNOWN answers わからない."""
        answers = ANSWERS if answers is None else answers
        response = self.post(self.url("death"), death)
        asked = {}
        while response.status_code == 302 and "/answers/" not in response["Location"]:
            path = response["Location"]
            if path.endswith("/age/"):
                value = age
            else:
                key = path.rstrip("/").rsplit("/", 1)[-1]
                value = answers.get(key, plain_answer(self.client.get(path).context["question"]))
                asked[key] = value
            response = self.post(path, unknown=True) if value is UNKNOWN else self.post(path, value)
            assert len(asked) < 100
        assert response.status_code == 302, response.content.decode()[:2000]
        return asked

    @property
    def state(self) -> str:
        cookie = self.client.cookies.get("okuyami_check")
        return cookie.value if cookie else ""


def plain_answer(question):
    kind = question.type
    if kind == "yes_no":
        return False
    if kind == "choice":
        return question.choices[0].value
    if kind == "multi":
        return []
    if kind == "number":
        return 0
    return date(2026, 11, 25).isoformat()


@pytest.fixture
def family(public_city):
    return Family(public_city.code)

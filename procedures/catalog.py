"""The catalog's domain: a municipality's places, counters, questions and procedures, compiled.

Pure Python. Frozen dataclasses, named for what they are so that they never pass for the
Django models of the same things; `catalog_io` reads them from okuyami-catalog/1 documents
and writes them back. Also what identifies a municipality (its code) and an item (its key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from procedures.deadlines import Deadline
from procedures.facts import PrefillSpec
from procedures.rules import Condition, QuestionSpec, QuestionType

if TYPE_CHECKING:
    from procedures.form_pdf import FormInfo

# The sections of a catalog, in the order of the format (their Japanese names: catalog_labels).
SECTIONS = ("places", "counters", "questions", "procedures")

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# A procedure's url is a web page: https:// or http:// only (javascript: and data: are refused).
URL_RE = re.compile(r"^https?://\S+\Z", re.IGNORECASE)
CODE_RE = re.compile(r"^[0-9]{6}$")


def code_check_digit(first_five: str) -> int:
    """The 全国地方公共団体コード check digit of the first five digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def municipality_code_error(code: object) -> str | None:
    """Why `code` is not a valid municipality code, or None."""
    if not isinstance(code, str) or not CODE_RE.match(code):
        return "must be 6 ASCII digits (全国地方公共団体コード)"
    expected = code_check_digit(code[:5])
    if int(code[5]) != expected:
        return f"check digit of '{code}' is wrong (expected {code[:5]}{expected})"
    return None


PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip


def prefecture_of(code: str) -> str | None:
    """The prefecture a municipality code belongs to: its first two digits are the JIS X 0401 number."""
    number = int(code[:2]) if CODE_RE.match(code or "") else 0
    return PREFECTURES[number - 1] if 1 <= number <= len(PREFECTURES) else None


@dataclass(frozen=True)
class CatalogMunicipality:
    """Whose catalog it is: the 全国地方公共団体コード (six digits), name and prefecture."""

    code: str
    name: str
    prefecture: str


@dataclass(frozen=True)
class CatalogPlace:
    key: str
    name: str
    order: int
    outside: bool = False  # an office that is not the municipality's (年金事務所, 税務署, a company)


@dataclass(frozen=True)
class CatalogCounter:
    """A counter of a place, with what the route sheet prints of it (floor, phone, hours)."""

    key: str
    name: str
    place: str
    order: int
    location: str | None = None
    phone: str | None = None
    hours: str | None = None


@dataclass(frozen=True)
class CatalogChoice:
    """One answer of a choice or multi question: the value conditions test, the label shown."""

    value: str
    label: str


@dataclass(frozen=True)
class CatalogPrefill:
    """The fact of the municipality's records that answers a question, and `values` (a fact value
    as text -> the answer it gives; None: the fact's value is the answer)."""

    fact: str
    values: Mapping[str, Any] | None = field(default=None, hash=False)


@dataclass(frozen=True)
class CatalogQuestion:
    key: str
    text: str
    type: QuestionType
    choices: tuple[CatalogChoice, ...] = ()
    ask_if: Condition | None = None
    allow_unknown: bool = True
    help: str | None = None
    prefill: CatalogPrefill | None = None

    @property
    def spec(self) -> QuestionSpec:
        return QuestionSpec(self.key, self.type, self.text, tuple((c.value, c.label) for c in self.choices))

    @property
    def prefill_spec(self) -> PrefillSpec | None:
        """What `procedures.facts.prefill_answers` needs of this question's prefill, or None."""
        if self.prefill is None:
            return None
        choices = tuple(c.value for c in self.choices)
        return PrefillSpec(self.key, self.type, choices, self.prefill.fact, self.prefill.values)


@dataclass(frozen=True)
class CatalogPdf:
    """A form's PDF as the catalog knows it: its bytes' SHA-256 (which names it in storage) and
    what `form_pdf.inspect_pdf` found in it (pages, fillable fields)."""

    sha256: str
    info: FormInfo


@dataclass(frozen=True)
class CatalogFormField:
    """Where one value is printed on a form: `x`/`y` (mm from the top-left corner) or a fillable
    field's name. Numbers are kept as the document gave them (an integer stays one)."""

    page: int
    value: str
    x: float | None = None
    y: float | None = None
    width: float | None = None
    size: float | None = None
    acroform: str | None = None


@dataclass(frozen=True)
class CatalogForm:
    """One of a procedure's own application forms (`forms[]`), printed pre-filled."""

    file: str  # its path in a bundle, "forms/kokuho_loss.pdf"
    title: str
    fields: tuple[CatalogFormField, ...]
    pdf: CatalogPdf


@dataclass(frozen=True)
class CatalogProcedure:
    """A procedure: at which counter, when it applies, its deadline, documents and forms."""

    key: str
    name: str
    counter: str
    applies_if: Condition
    deadline: Deadline | None = None
    deadline_note: str | None = None
    documents: tuple[str, ...] = ()
    description: str | None = None
    url: str | None = None
    order: int = 0
    forms: tuple[CatalogForm, ...] = ()

    @property
    def deadline_days(self) -> int | None:
        """The day count of a deadline in days from the death (what `deadline_days` says), or None."""
        return self.deadline.days_from_death if self.deadline is not None else None


@dataclass(frozen=True)
class Catalog:
    municipality: CatalogMunicipality
    places: tuple[CatalogPlace, ...]
    counters: tuple[CatalogCounter, ...]
    questions: tuple[CatalogQuestion, ...]
    procedures: tuple[CatalogProcedure, ...]  # in route order
    place_by_key: dict[str, CatalogPlace] = field(repr=False, compare=False)
    counter_by_key: dict[str, CatalogCounter] = field(repr=False, compare=False)
    question_by_key: dict[str, CatalogQuestion] = field(repr=False, compare=False)

    @property
    def prefill_specs(self) -> list[PrefillSpec]:
        """The prefill of every question that has one, in asking order."""
        return [q.prefill_spec for q in self.questions if q.prefill is not None]


def build_catalog(municipality, places, counters, questions, procedures) -> Catalog:
    """A catalog of checked items, each section in its walking (places, counters, procedures) or
    asking (questions) order, with lookups by key."""
    place_by_key = {p.key: p for p in places}
    counter_by_key = {c.key: c for c in counters}
    places = tuple(sorted(places, key=lambda p: (p.order, p.key)))
    counters = tuple(
        sorted(
            counters, key=lambda c: (place_by_key[c.place].order, place_by_key[c.place].key, c.order, c.key)
        )
    )
    counter_rank = {c.key: rank for rank, c in enumerate(counters)}
    procedures = tuple(sorted(procedures, key=lambda p: (counter_rank[p.counter], p.order, p.key)))
    return Catalog(
        municipality,
        places,
        counters,
        tuple(questions),
        procedures,
        place_by_key,
        counter_by_key,
        {q.key: q for q in questions},
    )

"""A catalog's errors, in two languages: the one place where one is built. Pure Python.

An error says where it is (a path into the document, `procedures[9].deadline_days`), what is
wrong in English — what the API, the CLI and the contract say, as `<where>: <message>` — and in
Japanese for the editors' screens, naming the value that is wrong:

    problem("procedures[9].deadline_days", "must be an integer", "は整数ではありません", value="２年")
    str(...)        -> "procedures[9].deadline_days: must be an integer"
    .japanese(doc)  -> "手続き「国民健康保険の資格喪失届」（kokuho_loss）の「期限の日数」: 「２年」は…"

A Japanese message that starts with は, が, の or を follows the value (「２年」は…); any other is a
sentence of its own. A workbook gives its errors a Japanese place of their own (「手続き 9行目
「期限の日数」列」). New fields add their names to `catalog_labels`, and build their errors here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from procedures.catalog_labels import place_label

# A path to an item inside a message (the first of two duplicates): "procedures[1]",
# "questions[2].choices[0]".
PATH_REF = re.compile(
    r"(?<![A-Za-z0-9_])(?:places|counters|questions|procedures)\[\d+\](?:\.choices\[\d+\])?"
)
NO_VALUE: Any = type("NoValue", (), {"__repr__": lambda self: "NO_VALUE"})()
_PARTICLES = ("は", "が", "の", "を", "に", "と", "で")
_LONGEST = 40  # characters of a value quoted in a message


@dataclass(frozen=True)
class CatalogError:
    where: str  # a path into the document ("procedures[9].deadline_days"), "" for the whole file
    message: str  # English, as the API and the CLI say it
    message_ja: str  # Japanese, for the screens
    value: Any = NO_VALUE  # what was found there, when the message is about it
    place_ja: str = ""  # where, in Japanese, when it is not a path of the document (a workbook's cell)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    @property
    def text_ja(self) -> str:
        """The Japanese message with its value: 「「２年」は整数ではありません」."""
        if self.value is not NO_VALUE and self.message_ja.startswith(_PARTICLES):
            return f"{quote(self.value)}{self.message_ja}"
        return self.message_ja

    def japanese(self, document: Any = None) -> str:
        """「<where in Japanese>: <message>」; `document` names items by their keys."""
        if not (self.where or self.place_ja) and self.message_ja == self.message:
            return self.message  # untranslated, its place (a workbook's cell) written in it
        place = self.place_ja or (place_label(self.where, document) if self.where else "")
        text = self.text(document)
        return f"{place}: {text}" if place else text

    def text(self, document: Any = None) -> str:
        """The Japanese message, naming another item it mentions ("procedures[1]", a duplicate's
        first) as a place: 手続き「世帯主変更届」（hoh_change）."""
        return PATH_REF.sub(lambda match: place_label(match.group(), document), self.text_ja)

    def at(self, where: str, place_ja: str = "") -> CatalogError:
        """The same error, placed elsewhere (a workbook's cell, or a path one level down)."""
        return replace(self, where=where, place_ja=place_ja)


def problem(where: str, message: str, message_ja: str, *, value: Any = NO_VALUE) -> CatalogError:
    """A catalog error: `where` in the document, `message` in English, `message_ja` in Japanese
    (after the value when it starts with a particle), `value` what was found."""
    return CatalogError(where, message, message_ja, value)


def quote(value: Any) -> str:
    """A value as a Japanese message quotes it: 「２年」, 「14」, 「true」, 空欄."""
    if value is None:
        return "空欄"
    if isinstance(value, bool):
        return "「true」" if value else "「false」"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if not text.strip():
        return "空欄"
    if len(text) > _LONGEST:
        text = text[: _LONGEST - 1] + "…"
    return f"「{text}」"


class CatalogInvalid(Exception):
    """A catalog that breaks the format. `errors`: every `<where>: <message>` in English (the API,
    the CLI); `problems`: the same as CatalogError, with Japanese for the screens; `document`: the
    document read, when there was one, to name items in Japanese."""

    def __init__(self, errors: list[CatalogError | str], *, document: Any = None):
        self.problems = [e if isinstance(e, CatalogError) else untranslated(e) for e in errors]
        self.errors = [str(p) for p in self.problems]
        self.document = document
        super().__init__("\n".join(self.errors))

    def japanese(self, document: Any = None) -> list[str]:
        """Every error in Japanese, each with its place."""
        return [p.japanese(document if document is not None else self.document) for p in self.problems]


def untranslated(error: str) -> CatalogError:
    """An error given only as English `<where>: <message>` text: the screens show the English."""
    where, sep, message = error.partition(": ")
    if not sep or " " in where:
        return CatalogError("", error, error)
    return CatalogError(where, message, message)

"""Read and validate a resident extract, okuyami-residents/1 (docs/resident-extract.md).

Pure Python, no Django. `read_extract` streams the rows of a folder or a .zip: every valid
person of residents.csv, then every valid fact of facts.csv, while every problem found goes
to the report as `<file> line <n> column <name>: <message>`. The caller keeps the rows
only when the report has no error. Memory grows with the number of people (a dictionary
of their 宛名番号), never with the rows themselves.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Any

from procedures.facts import DERIVED_FACTS, STANDARD_FACTS, fact_name_problem, fact_text, parse_fact_value

RESIDENTS = "residents.csv"
FACTS = "facts.csv"
RESIDENT_COLUMNS = (
    "宛名番号",
    "世帯番号",
    "氏名",
    "氏名カナ",
    "生年月日",
    "性別",
    "続柄",
    "住所",
    "外国人",
    "消除日",
    "消除事由",
)
FACT_COLUMNS = ("宛名番号", "fact", "value")
HEAD = "世帯主"
DEATH = "死亡"
REMOVAL_REASONS = (DEATH, "転出", "職権消除", "その他")
# The contract caps 氏名; the reading, 続柄 and 住所 go into a case's fields of these lengths,
# and a fact's value is a short code or word.
MAX_LENGTH = {"氏名": 100, "氏名カナ": 100, "続柄": 50, "住所": 200, "value": 200}
EARLIEST = date(1873, 1, 1)  # the Gregorian calendar in Japan; no 和暦 date converts before it
LATEST = date(2200, 12, 31)  # the last date of death a case may have
DERIVED = frozenset(DERIVED_FACTS)
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp932": "CP932"}

_DIGITS = re.compile(r"[0-9]{1,15}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_WAREKI_DATE = re.compile(r"([MTSHR])([0-9]{2})\.([0-9]{2})\.([0-9]{2})")
_KANA = re.compile(r"[\u30a1-\u30fe \u3000]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BAD = re.compile(r"[\x00-\x1f\x7f\ufffd]")  # a control character, or bytes not in the encoding
_BLANK = " \u3000"


@dataclass(frozen=True)
class Era:
    initial: str
    name: str
    first: date
    last: date | None  # None: the current era

    def date_of(self, year: int, month: int, day: int) -> date:
        return date(self.first.year + year - 1, month, day)

    def code(self, day: date) -> str:
        return f"{self.initial}{day.year - self.first.year + 1:02d}.{day.month:02d}.{day.day:02d}"


# 明治 began in 1868, but its dates before 1873-01-01 are in the old lunisolar calendar.
ERAS = {
    era.initial: era
    for era in (
        Era("M", "明治", date(1868, 1, 1), date(1912, 7, 29)),
        Era("T", "大正", date(1912, 7, 30), date(1926, 12, 24)),
        Era("S", "昭和", date(1926, 12, 25), date(1989, 1, 7)),
        Era("H", "平成", date(1989, 1, 8), date(2019, 4, 30)),
        Era("R", "令和", date(2019, 5, 1), None),
    )
}


@lru_cache(maxsize=65_536)
def parse_date(text: str) -> tuple[str | None, date | None]:
    """(problem, date) for `YYYY-MM-DD` or 和暦 `S25.04.02`; dates repeat, so they are cached."""
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        try:
            value = date(year, month, day)
        except ValueError:
            return f"'{text}' is not a date", None
    elif match := _WAREKI_DATE.fullmatch(text):
        era = ERAS[match[1]]
        try:
            value = era.date_of(int(match[2]), int(match[3]), int(match[4]))
        except ValueError:
            return f"'{text}' is not a date", None
        first = max(era.first, EARLIEST)
        if value < first or (era.last is not None and value > era.last):
            until = f" to {era.code(era.last)}" if era.last else " on"
            return f"'{text}' is not a date of {era.name} ({era.code(first)}{until})", None
    else:
        return f"'{text}' is not a date: write YYYY-MM-DD, or 和暦 as S25.04.02 (M, T, S, H or R)", None
    if value < EARLIEST:
        return f"'{text}' is before 1873-01-01, when Japan's registers began using this calendar", None
    if value > LATEST:
        return f"'{text}' is after {LATEST.isoformat()}", None
    return None, value


@dataclass(slots=True)
class Resident:
    line: int
    atena_number: str  # 宛名番号
    household: str  # 世帯番号
    name: str
    kana: str
    birth_date: date
    sex: int  # 1 男, 2 女
    relation: str  # 続柄
    address: str
    foreign: bool
    removal_date: date | None
    removal_reason: str  # "" while the person is on the register

    @property
    def deceased(self) -> bool:
        return self.removal_reason == DEATH

    @property
    def current(self) -> bool:
        return self.removal_date is None


@dataclass(slots=True)
class ResidentFact:
    line: int
    atena_number: str
    fact: str
    value: Any  # bool, int or str
    text: str  # the value as written in facts.csv (canonical)


COUNTED = ("people", "households", "deceased", "facts")


class ExtractCounts:
    """The counts of an extract (COUNTED): while it is read (ExtractReport) and once it is
    stored (models.Extract), as the services write them to the audit log and the screens."""

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTED}


@dataclass
class ExtractReport(ExtractCounts):
    """What reading an extract found: the counts, and every error (the first `max_errors` kept)."""

    max_errors: int = 1000
    on_error: Callable[[str], None] | None = None
    people: int = 0
    households: int = 0
    deceased: int = 0
    facts: int = 0
    error_count: int = 0
    errors: list[str] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(message)
        if self.on_error is not None:
            self.on_error(message)


class _Files:
    """The CSV files of a folder or a .zip: each opened as a fresh binary stream when asked."""

    def __init__(self, source: str | Path | IO[bytes]):
        self.zip: zipfile.ZipFile | None = None
        self.folder: Path | None = None
        self.members: dict[str, str] = {}
        self.problem: str | None = None
        self.unexpected: list[str] = []
        if isinstance(source, str | Path):
            path = Path(source)
            if path.is_dir():
                self.folder = path
                names = sorted(p.name for p in path.iterdir() if p.is_file())
                self._take(names, {name: name for name in names})
                return
            if not path.exists():
                self.problem = f"{source}: no such folder or file"
                return
        self._open_zip(source)

    def _open_zip(self, source) -> None:
        try:
            self.zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError) as exc:
            reason = "not a .zip" if isinstance(exc, zipfile.BadZipFile) else exc.strerror
            where = source if isinstance(source, str | Path) else getattr(source, "name", "the upload")
            self.problem = f"{where}: neither a folder nor a .zip ({reason})"
            return
        files = [info.filename for info in self.zip.infolist() if not info.is_dir()]
        paths = {name: PurePosixPath(name) for name in files}
        # The files at the root, or in the one folder the .zip was made of.
        folders = {str(p.parent) for p in paths.values() if p.name == RESIDENTS}
        folder = folders.pop() if len(folders) == 1 else "."
        inside = {p.name: name for name, p in paths.items() if str(p.parent) == folder}
        self._take(sorted(inside), inside)

    def _take(self, names: list[str], where: dict[str, str]) -> None:
        for name in names:
            if name in (RESIDENTS, FACTS):
                self.members[name] = where[name]
            elif name.lower().endswith(".csv"):
                self.unexpected.append(name)

    def open(self, name: str) -> AbstractContextManager[IO[bytes]]:
        if self.zip is not None:
            return self.zip.open(self.members[name])
        assert self.folder is not None
        return (self.folder / self.members[name]).open("rb")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _first_undecodable(files: _Files, name: str, encoding: str) -> int | None:
    """The offset of the first byte that is not text in `encoding`, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with files.open(name) as stream:
        while chunk := stream.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def detect_encoding(files: _Files, name: str) -> str:
    """UTF-8 (a BOM, or every byte valid) or CP932; with neither valid, the one valid for longer."""
    with files.open(name) as stream:
        if stream.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
    bad_utf8 = _first_undecodable(files, name, "utf-8")
    if bad_utf8 is None:
        return "utf-8"
    bad_cp932 = _first_undecodable(files, name, "cp932")
    return "cp932" if bad_cp932 is None or bad_cp932 > bad_utf8 else "utf-8"


class _Table:
    """One CSV file's rows as (line, values by column index), with the header checked."""

    def __init__(self, files: _Files, name: str, columns: tuple[str, ...], report: ExtractReport):
        self.files, self.name, self.columns, self.report = files, name, columns, report
        self.index: dict[str, int] = {}
        self.encoding = ""
        self.header_ok = False

    def error(self, line: int, message: str, column: str | None = None) -> None:
        where = f" column {column}" if column else ""
        self.report.error(f"{self.name} line {line}{where}: {message}")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        self.encoding = detect_encoding(self.files, self.name)
        self.report.encodings[self.name] = ENCODING_NAMES[self.encoding]
        with self.files.open(self.name) as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors="replace", newline="")
            reader = csv.reader(text, strict=True)
            header = self._next(reader)
            if not header or not self._header(header[1]):
                return
            self.header_ok = True
            width = len(header[1])
            while (record := self._next(reader)) is not None:
                if not record or not record[1]:
                    continue  # not CSV (reported), or a blank line
                line, values = record
                if len(values) != width:
                    self.error(line, f"has {len(values)} fields; the header has {width}")
                    continue
                yield line, values

    def _next(self, reader) -> tuple[int, list[str]] | tuple[()] | None:
        """(line, values); () for a record that is not CSV (reported); None at the end."""
        line = reader.line_num + 1
        try:
            return line, next(reader)
        except StopIteration:
            if line == 1:
                self.error(1, f"the header is missing (the file is empty); it must be {self._names()}")
            return None
        except csv.Error as exc:
            self.error(line, f"is not valid CSV (RFC 4180): {exc}")
            return ()

    def _names(self) -> str:
        return ",".join(self.columns)

    def _header(self, cells: list[str]) -> bool:
        ok = True
        for position, cell in enumerate(cells):
            name = cell.strip(_BLANK)
            if name not in self.columns:
                self.error(1, f"unknown column (the columns are {self._names()})", name or f"#{position + 1}")
                ok = False
            elif name in self.index:
                self.error(1, "appears twice", name)
                ok = False
            else:
                self.index[name] = position
        for name in self.columns:
            if name not in self.index:
                self.error(1, "is missing from the header", name)
                ok = False
        return ok

    def value(self, line: int, values: list[str], column: str, *, required: bool = True) -> str | None:
        """The field, stripped of surrounding spaces; None (and an error) when it is not text."""
        value = values[self.index[column]].strip(_BLANK)
        if "\ufffd" in value:
            encoding = ENCODING_NAMES[self.encoding]
            self.error(
                line, f"holds bytes that are not {encoding} text (the file is read as {encoding})", column
            )
            return None
        if _CONTROL.search(value):
            self.error(line, "must not hold line breaks, tabs or other control characters", column)
            return None
        if required and not value:
            self.error(line, "is required", column)
            return None
        limit = MAX_LENGTH.get(column)
        if limit and len(value) > limit:
            self.error(line, f"is {len(value)} characters long; at most {limit}", column)
            return None
        return value


def _key(digits: str) -> int:
    """A 宛名番号 or 世帯番号 as one int, keeping leading zeros apart ('007' is not '7'): compact to hold."""
    return int(digits) * 16 + len(digits)


class _Extract:
    """The rules that span rows: unique 宛名番号, one current 世帯主 per household, one row per fact.

    Numbers are held as ints (`_key`), about half the memory of strings: a 700,000-person
    extract is read in well under the importer's memory target.
    """

    def __init__(self, files: _Files, report: ExtractReport):
        self.files, self.report = files, report
        # 宛名番号 -> its line while residents.csv is read; then the bits of the facts given.
        self.numbers: dict[int, int] = {}
        self.households: set[int] = set()
        self.heads: dict[int, int] = {}  # 世帯番号 -> line of its current 世帯主
        self.fact_bits: dict[str, int] = {name: 1 << i for i, name in enumerate(STANDARD_FACTS)}
        # (fact, value text) -> (value, canonical text): the valid values seen, for the inline check
        self.fact_values: dict[tuple[str, str], tuple[Any, str]] = {}
        self.readable = False

    # --- residents.csv ---

    def residents(self) -> Iterator[Resident]:
        table = _Table(self.files, RESIDENTS, RESIDENT_COLUMNS, self.report)
        order: list[int] = []
        for line, values in table.rows():
            if not order:
                order = [table.index[name] for name in RESIDENT_COLUMNS]
            fields = [values[i].strip(_BLANK) for i in order]
            resident = self._resident_fast(line, fields) if not _BAD.search(",".join(fields)) else None
            if resident is None:
                resident = self._resident_checked(table, line, values, fields)
            if self._across_rows(table, line, fields) and resident is not None:
                self.report.people += 1
                self.report.deceased += resident.removal_reason == DEATH
                yield resident
        self.report.households = len(self.households)
        self.readable = table.header_ok
        for key in self.numbers:  # the lines are not needed any more: the facts' bits start at 0
            self.numbers[key] = 0

    def _resident_fast(self, line: int, f: list[str]) -> Resident | None:
        """The row as a Resident when every field is valid (the usual case), else None."""
        number, household, name, kana, birth, sex, relation, address, foreign, removed, reason = f
        if not (
            _DIGITS.fullmatch(number)
            and _DIGITS.fullmatch(household)
            and 0 < len(name) <= 100
            and 0 < len(kana) <= 100
            and _KANA.fullmatch(kana)
            and kana.strip(_BLANK)
            and sex in ("1", "2")
            and 0 < len(relation) <= 50
            and 0 < len(address) <= 200
            and foreign in ("0", "1")
            and (reason in REMOVAL_REASONS if removed else not reason)
        ):
            return None
        problem, birth_date = parse_date(birth)
        if problem:
            return None
        removal_date = None
        if removed:
            problem, removal_date = parse_date(removed)
            if problem or removal_date < birth_date:
                return None
        return Resident(
            line, number, household, name, kana, birth_date, int(sex), relation, address, foreign == "1",
            removal_date, reason,
        )  # fmt: skip

    def _resident_checked(self, t: _Table, line: int, values: list[str], f: list[str]) -> None:
        """Report every problem of a row that failed the fast check (it may have none: a
        surrounding space, say, but then it is valid and made here)."""
        errors = self.report.error_count
        number = self._digits(t, line, values, "宛名番号")
        household = self._digits(t, line, values, "世帯番号")
        name = t.value(line, values, "氏名")
        kana = t.value(line, values, "氏名カナ")
        if kana is not None and not (_KANA.fullmatch(kana) and kana.strip(_BLANK)):
            t.error(line, f"'{kana}' is not a reading in full-width katakana", "氏名カナ")
        birth_date = self._date(t, line, values, "生年月日", required=True)
        sex = t.value(line, values, "性別")
        if sex is not None and sex not in ("1", "2"):
            t.error(line, f"'{sex}' is not 1 (男) or 2 (女)", "性別")
        relation = t.value(line, values, "続柄")
        address = t.value(line, values, "住所")
        foreign = t.value(line, values, "外国人")
        if foreign is not None and foreign not in ("0", "1"):
            t.error(line, f"'{foreign}' is not 0, or 1 for a foreign resident", "外国人")
        removal_date = self._date(t, line, values, "消除日", required=False)
        reason = t.value(line, values, "消除事由", required=False)
        given_date = f[9] != ""
        if reason and reason not in REMOVAL_REASONS:
            t.error(line, f"'{reason}' is not one of {', '.join(REMOVAL_REASONS)}", "消除事由")
        elif reason is not None and given_date and not reason:
            t.error(line, "is required with 消除日", "消除事由")
        elif reason and not given_date:
            t.error(line, "is given without 消除日", "消除事由")
        if birth_date and removal_date and removal_date < birth_date:
            t.error(line, f"{removal_date.isoformat()} is before the 生年月日", "消除日")
        if self.report.error_count != errors:
            return None
        return Resident(
            line, number, household, name, kana, birth_date, int(sex), relation, address, foreign == "1",
            removal_date, reason or "",
        )  # fmt: skip

    def _across_rows(self, t: _Table, line: int, f: list[str]) -> bool:
        """Check and record the rules that span rows; False when this row breaks one."""
        number, household, relation, removed = f[0], f[1], f[6], f[9]
        ok = True
        if _DIGITS.fullmatch(number):
            key = _key(number)
            if key in self.numbers:
                t.error(line, f"{number} is also on line {self.numbers[key]}: it must be unique", "宛名番号")
                ok = False
            else:
                self.numbers[key] = line
        if _DIGITS.fullmatch(household):
            key = _key(household)
            self.households.add(key)
            if relation == HEAD and not removed:
                if key in self.heads:
                    t.error(
                        line,
                        f"household {household} already has a current 世帯主 (line {self.heads[key]})",
                        "続柄",
                    )
                    ok = False
                else:
                    self.heads[key] = line
        return ok

    def _digits(self, t: _Table, line: int, values: list[str], column: str) -> str | None:
        value = t.value(line, values, column)
        if value is not None and not _DIGITS.fullmatch(value):
            t.error(line, f"'{value}' is not 1 to 15 ASCII digits", column)
            return None
        return value

    def _date(self, t: _Table, line: int, values: list[str], column: str, *, required: bool) -> date | None:
        value = t.value(line, values, column, required=required)
        if not value:
            return None
        problem, day = parse_date(value)
        if problem:
            t.error(line, problem, column)
        return day

    # --- facts.csv ---

    def facts(self) -> Iterator[ResidentFact]:
        table = _Table(self.files, FACTS, FACT_COLUMNS, self.report)
        at: list[int] = []
        numbers, bits, known = self.numbers, self.fact_bits, self.fact_values
        for line, values in table.rows():
            if not at:
                at = [table.index[name] for name in FACT_COLUMNS]
            number, name, text = (
                values[at[0]].strip(_BLANK),
                values[at[1]].strip(_BLANK),
                values[at[2]].strip(_BLANK),
            )
            # The usual row, checked inline: a known fact and value, a person not seen with it.
            bit = bits.get(name)
            parsed = known.get((name, text))
            if bit is not None and parsed is not None and number.isdigit() and number.isascii():
                key = int(number) * 16 + len(number)
                seen = numbers.get(key)
                if seen is not None and len(number) <= 15 and not seen & bit:
                    numbers[key] = seen | bit
                    self.report.facts += 1
                    yield ResidentFact(line, number, name, parsed[0], parsed[1])
                    continue
            fact = self._fact_checked(table, line, values)
            if fact is not None:
                self.report.facts += 1
                yield fact

    def _value(self, name: str, text: str) -> tuple[str | None, Any]:
        """parse_fact_value; a valid value is remembered for the inline check (values repeat)."""
        problem, value = parse_fact_value(name, text)
        remember = len(self.fact_values) < 10_000 and self.readable and name not in DERIVED
        if problem is None and remember and len(text) <= MAX_LENGTH["value"] and not _BAD.search(text):
            self.fact_values[name, text] = (value, fact_text(value))
        return problem, value

    def _fact_checked(self, t: _Table, line: int, values: list[str]) -> ResidentFact | None:
        """Report every problem of a row that failed the fast check; a valid one is made here."""
        errors = self.report.error_count
        number = t.value(line, values, "宛名番号")
        key = None
        if number is not None and self.readable:
            key = _key(number) if _DIGITS.fullmatch(number) else None
            if key is None or key not in self.numbers:
                t.error(line, f"{number} is not a 宛名番号 of {RESIDENTS}", "宛名番号")
                key = None
        name = t.value(line, values, "fact")
        if name is not None:
            if problem := fact_name_problem(name):
                t.error(line, problem, "fact")
                name = None
            elif name in DERIVED:
                t.error(line, f"{name} is worked out from {RESIDENTS}, never given in {FACTS}", "fact")
                name = None
        text = t.value(line, values, "value")
        value = None
        if name is not None and text is not None:
            problem, value = self._value(name, text)
            if problem:
                t.error(line, problem, "value")
        if key is not None and name is not None:
            bit = self.fact_bits.setdefault(name, 1 << len(self.fact_bits))  # a local fact's own bit
            if self.numbers[key] & bit:
                t.error(line, f"{number} already has a row for {name}: one row per fact", "fact")
            self.numbers[key] |= bit
        if self.report.error_count != errors:
            return None
        return ResidentFact(line, number, name, value, fact_text(value))


def read_extract(
    source: str | Path | IO[bytes], *, report: ExtractReport
) -> Iterator[Resident | ResidentFact]:
    """Every valid person, then every valid fact, of the extract in a folder or a .zip.

    The problems go to `report`; rows come out as they are read, so the caller must drop
    them all when the report ends with errors (`report.ok` is False).
    """
    files = _Files(source)
    try:
        if files.problem:
            report.error(files.problem)
            return
        for name in files.unexpected:
            report.error(f"{name}: not a file of okuyami-residents/1 (only {RESIDENTS} and {FACTS})")
        if RESIDENTS not in files.members:
            report.error(f"{RESIDENTS}: missing from the extract")
            return
        extract = _Extract(files, report)
        yield from extract.residents()
        if FACTS in files.members:
            yield from extract.facts()
    finally:
        files.close()


def validate_extract(source: str | Path | IO[bytes], *, max_errors: int = 1000) -> ExtractReport:
    """Read the whole extract for its counts and errors, keeping no rows."""
    report = ExtractReport(max_errors=max_errors)
    for _ in read_extract(source, report=report):
        pass
    return report

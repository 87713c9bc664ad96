"""Builders for the resident extract's tests: extracts written as a municipality's system would."""

import csv
import io
from pathlib import Path

import pytest

from okuyami.residents.extract import FACT_COLUMNS, RESIDENT_COLUMNS

# The header a municipality's system writes: the contract's columns in its order, as the reader
# defines them (docs/resident-extract.md's worked example pins them: test_residents_records).
HEADER = RESIDENT_COLUMNS
FACTS_HEADER = FACT_COLUMNS
ADDRESS = "見本県みほん市中央一丁目2番3号"

# The contract's example: 見本 太郎 died on 2026-11-20 as the 世帯主; 花子 remains; 一郎 moved out.
TARO = (
    "300000000101",
    "7001",
    "見本 太郎",
    "ミホン タロウ",
    "S25.04.02",
    "1",
    "世帯主",
    ADDRESS,
    "0",
    "R08.11.20",
    "死亡",
)
HANAKO = ("300000000102", "7001", "見本 花子", "ミホン ハナコ", "1952-08-15", "2", "妻", ADDRESS, "0", "", "")
ICHIRO = (
    "300000000103",
    "7001",
    "見本 一郎",
    "ミホン イチロウ",
    "H02.05.05",
    "1",
    "子",
    ADDRESS,
    "0",
    "2024-04-01",
    "転出",
)
EXAMPLE = (TARO, HANAKO, ICHIRO)
EXAMPLE_FACTS = (
    ("300000000101", "health.insurance", "koki"),
    ("300000000101", "seal.registered", "true"),
    ("300000000101", "local.water_contract", "true"),
)
# Two questions' prefills as a catalog gives them (key, type, choices, fact, values): 世帯主, and
# the health insurance, which the records answer for 国保 and 後期 only.
HEAD_PREFILL = ("head_of_household", "yes_no", (), "household.head", None)
INSURANCE_PREFILL = (
    "insurance",
    "choice",
    ("kokuho", "koki", "shakai"),
    "health.insurance",
    {"kokuho": "kokuho", "koki": "koki"},
)
EXAMPLE_PREFILL = (HEAD_PREFILL, INSURANCE_PREFILL)
# The contract's case document for 太郎 with EXAMPLE_PREFILL: 花子 remains, 一郎 had moved out.
EXAMPLE_DOCUMENT = {
    "deceased": {
        "name": "見本 太郎",
        "kana": "ミホン タロウ",
        "birth_date": "1950-04-02",
        "death_date": "2026-11-20",
        "address": ADDRESS,
    },
    "answers": {"head_of_household": True, "insurance": "koki"},
    "household": [
        {"name": "見本 花子", "kana": "ミホン ハナコ", "relation": "妻", "birth_date": "1952-08-15"}
    ],
}


def person(number: str = "9", household: str = "8001", **fields) -> tuple:
    """A residents.csv row; fields by their English names (name, kana, birth, sex, relation, …)."""
    row = {
        "number": number,
        "household": household,
        "name": "試験 人",
        "kana": "シケン ヒト",
        "birth": "1960-01-01",
        "sex": "1",
        "relation": "世帯主",
        "address": ADDRESS,
        "foreign": "0",
        "removed": "",
        "reason": "",
    }
    row.update(fields)
    return tuple(row.values())


def csv_text(header, rows, *, newline: str = "\r\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_extract(
    folder: Path,
    residents=EXAMPLE,
    facts=None,
    *,
    encoding: str = "utf-8",
    newline: str = "\r\n",
    header=HEADER,
    facts_header=FACTS_HEADER,
) -> Path:
    """A folder with residents.csv (and facts.csv when `facts` is given), as bytes in `encoding`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "residents.csv").write_bytes(csv_text(header, residents, newline=newline).encode(encoding))
    if facts is not None:
        (folder / "facts.csv").write_bytes(csv_text(facts_header, facts, newline=newline).encode(encoding))
    return folder


@pytest.fixture
def extract_dir(tmp_path):
    """extract_dir(residents=EXAMPLE, facts=None, **options) -> a new folder holding the extract."""
    count = 0

    def build(residents=EXAMPLE, facts=None, **options) -> Path:
        nonlocal count
        count += 1
        return write_extract(tmp_path / f"extract-{count}", residents, facts, **options)

    return build


@pytest.fixture(autouse=True)
def _commit_callbacks_run_at_once(monkeypatch):
    """Each test runs in one transaction: what waits for the commit (dropping a replaced or erased
    extract's partitions on PostgreSQL) runs at once, as it does after a real commit."""
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda callback, using=None, robust=False: callback()
    )

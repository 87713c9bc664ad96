"""Builders for the printing tests: a 40-procedure guide and PDF readers."""

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from okuyami import printing
from okuyami.guide import AdjustmentAction, ManualChange, build_guide
from procedures.catalog_io import read_catalog
from procedures.evaluation import evaluate, read_case
from tests.conftest import fixture_document

ROOT = Path(__file__).resolve().parents[2]
PRINTED_ON = date(2026, 11, 27)

# What the sample city's records (fixtures/residents/sample-city) answer for its typical case,
# 見本 太郎 (82, 世帯主, wife remaining, 後期, 印鑑登録, 介護 certificate, no 障害者手帳, a house, a
# water contract): the answers of okuyami.residents' case document. The national template has
# no water_contract question.
TYPICAL_RECORDS = {
    "head_of_household": True,
    "household_remaining": 1,
    "household_adults": 1,
    "insurance": "koki",
    "care_certified": True,
    "disability_certificates": [],
    "seal_registration": True,
    "real_estate": True,
    "water_contract": True,
    "residence_card": "japanese",
}

# With the national template these answers make 38 procedures apply at 19 counters
# and 2 need checking (renunciation, tax_debit); the staff add 2 more: 40 in all.
FORTY_CASE = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures/cases/forty-procedures.json").read_text(encoding="utf-8")
)
STAFF_NOTE = "勤務先の健康保険組合へ、ご家族から連絡してください。"
FORTY_ADJUSTMENTS = (
    ManualChange("kenpo_loss", AdjustmentAction.ADD, STAFF_NOTE),
    ManualChange("kenpo_maisoryo", AdjustmentAction.ADD),
)
PEOPLE = {
    "deceased": {
        "name": "試験 太郎",
        "kana": "しけん たろう",
        "birth_date": "1950-04-02",
        "death_date": "2026-11-20",
        "address": "見本県みほん市中央一丁目2番3号",
    },
    "visitor": {
        "name": "試験 花子",
        "kana": "しけん はなこ",
        "relation": "妻",
        "phone": "000-000-1234",
        "address": "見本県みほん市北町四丁目5番6号",
    },
}


def national_template():
    return read_catalog(fixture_document("national-template.json"))


def guide_for(case: dict, adjustments=()) -> dict:
    catalog = national_template()
    parsed = read_case(catalog, case)
    return build_guide(
        catalog, evaluate(catalog, parsed), death_date=parsed.death_date, adjustments=adjustments, case=parsed
    )


@pytest.fixture(scope="session")
def forty_guide():
    return guide_for(FORTY_CASE, FORTY_ADJUSTMENTS)


@pytest.fixture(scope="session")
def forty_pdf(forty_guide):
    """forty_pdf(document, large=False) -> PdfReader, each rendered once per session."""
    rendered = {}

    def pdf(document: str, large: bool = False) -> PdfReader:
        if (document, large) not in rendered:
            data = printing.render_pdf(
                document, guide=forty_guide, people=PEOPLE, printed_on=PRINTED_ON, large=large
            )
            rendered[document, large] = read_pdf(data)
        return rendered[document, large]

    return pdf


def read_pdf(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-"), "not a PDF"
    return PdfReader(io.BytesIO(data))


def page_texts(reader: PdfReader) -> list[str]:
    """Each page's text with all white space removed, so wrapped lines still match."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def embedded_fonts(reader: PdfReader) -> dict[str, dict]:
    """BaseFont -> {"family", "subfamily", "bytes"} read from each embedded font program."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = font
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()
            descriptor = descriptor.get("/FontDescriptor")
            program = None
            if descriptor is not None:
                descriptor = descriptor.get_object()
                for key in ("/FontFile2", "/FontFile3", "/FontFile"):
                    if key in descriptor:
                        program = descriptor[key].get_object().get_data()
            entry = {"family": None, "subfamily": None, "bytes": 0}
            if program:
                names = TTFont(io.BytesIO(program))["name"]
                entry = {
                    "family": names.getDebugName(1),
                    "subfamily": names.getDebugName(2),
                    "bytes": len(program),
                }
            fonts[str(font["/BaseFont"])] = entry
    return fonts

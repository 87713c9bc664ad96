"""Builders for the printing tests: a 40-procedure guide and PDF readers."""

import functools
import io
import re
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from bench.cases import FORTY_ADJUSTMENTS, FORTY_CASE, PEOPLE
from okuyami import printing
from okuyami.guide import build_guide
from procedures.catalog_io import read_catalog
from procedures.evaluation import evaluate, read_case
from tests.conftest import fixture_document

ROOT = Path(__file__).resolve().parents[2]
PRINTED_ON = date(2026, 11, 27)
# The 40-procedure case (FORTY_CASE, FORTY_ADJUSTMENTS, PEOPLE) is bench.cases', the one the
# printing benchmark measures.

# What the sample city's records (fixtures/residents/sample-city) answer for its typical case,
# 見本 太郎 (82, 世帯主, wife remaining, 後期, 印鑑登録, 介護 certificate, no 障害者手帳, a house): the
# answers of okuyami.residents' case document. The standard facts answer the national template's
# questions too; the sample city also reads its own registers' `local.` facts: a water contract, a
# マイナンバーカード, 住民税 課税, and none of its 高齢者福祉サービス, child benefits, 口座振替,
# 市営住宅 or dog. (Its 給与特別徴収, 高額療養費, 未登記家屋, 森林, 霊園 and 農地 registers answer
# only when they hold him, since a job, a claim or a property may be where they do not look: not
# holding him leaves those questions to be asked.)
TYPICAL_STANDARD_RECORDS = {
    "head_of_household": True,
    "household_remaining": 1,
    "household_adults": 1,
    "insurance": "koki",
    "care_certified": True,
    "disability_certificates": [],
    "seal_registration": True,
    "real_estate": True,
    "residence_card": "japanese",
}
TYPICAL_RECORDS = {
    **TYPICAL_STANDARD_RECORDS,
    "water_contract": True,
    "elderly_services": [],
    "mynumber_card": True,
    "child_benefits": [],
    "resident_tax": True,
    "tax_debit": False,
    "municipal_housing": "no",
    "dog": False,
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
def forty_data(forty_guide):
    """forty_data(document, large=False) -> the PDF's bytes, each rendered once per session."""
    rendered = {}

    def data(document: str, large: bool = False) -> bytes:
        if (document, large) not in rendered:
            rendered[document, large] = printing.render_pdf(
                document, guide=forty_guide, people=PEOPLE, printed_on=PRINTED_ON, large=large
            )
        return rendered[document, large]

    return data


@pytest.fixture(scope="session")
def forty_pdf(forty_data):
    """forty_pdf(document, large=False) -> PdfReader."""
    read = {}

    def pdf(document: str, large: bool = False) -> PdfReader:
        if (document, large) not in read:
            read[document, large] = read_pdf(forty_data(document, large))
        return read[document, large]

    return pdf


def read_pdf(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-"), "not a PDF"
    return PdfReader(io.BytesIO(data))


@functools.lru_cache(maxsize=8)
def printed_chars(data: bytes) -> tuple[tuple[dict, ...], ...]:
    """Per page, every printed character as pdfplumber reads it back: text, size (pt), x0, x1,
    top and bottom (pt from the page's top-left corner), and the page's width and height.
    Read once per PDF (a test reads the same one for its smallest text and for several sizes):
    the result is shared, so read it, never change it."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return tuple(
            tuple(
                {
                    "text": char["text"],
                    "size": char["size"],
                    "x0": char["x0"],
                    "x1": char["x1"],
                    "top": char["top"],
                    "bottom": char["bottom"],
                    "page_width": page.width,
                    "page_height": page.height,
                }
                for char in page.chars
            )
            for page in pdf.pages
        )


def size_of(data: bytes, needle: str) -> float:
    """The size (pt) `needle` is printed at, where it first appears (across line breaks too)."""
    for page in printed_chars(data):
        text = "".join(char["text"] for char in page)
        found = text.find(needle)
        if found >= 0:
            sizes = {round(char["size"], 2) for char in page[found : found + len(needle)]}
            assert len(sizes) == 1, f"{needle!r} is printed at several sizes: {sizes}"
            return sizes.pop()
    raise AssertionError(f"{needle!r} is not in the PDF")


def smallest_text(data: bytes) -> tuple[float, str]:
    """The smallest size (pt) any text is printed at, and the first text printed at it."""
    chars = [char for page in printed_chars(data) for char in page if char["text"].strip()]
    assert chars, "no text in the PDF"
    size = min(char["size"] for char in chars)
    return round(size, 2), "".join(char["text"] for char in chars if char["size"] < size + 0.01)[:40]


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

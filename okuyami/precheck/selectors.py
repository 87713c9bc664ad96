"""Reads of the pre-check: which municipalities publish it, and a code as the counter finds it.

A code is looked up in the counter user's own municipality only: another municipality's code is
"not found", exactly as one that does not exist.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from okuyami.models import Case
from okuyami.precheck.codes import CodeUnreadable, read_code
from okuyami.precheck.models import PrecheckCode
from procedures.catalog import Catalog
from procedures.evaluation import normalise_answer
from procedures.models import Municipality
from procedures.wareki import wareki

# The public pages read only these columns of the municipality (and the catalog's version stamp).
PUBLIC_FIELDS = (
    "id",
    "code",
    "name",
    "prefecture",
    "catalog_version",
    "updated_at",
    "precheck_greeting",
    "precheck_phone",
)


def public_municipalities() -> QuerySet[Municipality]:
    """The municipalities whose public page is on, by code."""
    return Municipality.objects.filter(precheck_enabled=True).only(*PUBLIC_FIELDS).order_by("code")


def public_municipality(code: str) -> Municipality | None:
    """The municipality with `code` if its public page is on; None otherwise (a 404 for the public)."""
    return public_municipalities().filter(code=code).first()


class CodeProblem(Exception):
    """A code the counter cannot use; the message is for the screen (Japanese)."""

    status = 400


class CodeNotFound(CodeProblem):
    status = 404

    def __init__(self):
        super().__init__(
            "この受付コードは見つかりません。コードを確かめてください（ほかの市区町村のコードは使えません）。"
        )


class CodeExpired(CodeProblem):
    status = 410

    def __init__(self, row: PrecheckCode):
        self.row = row
        expired = wareki(timezone.localtime(row.expires_at).date())
        super().__init__(
            f"この受付コードは有効期限（{expired}）を過ぎています。質問はご家族にお聞きしてください。"
        )


class CodeUsed(CodeProblem):
    status = 409

    def __init__(self, row: PrecheckCode):
        self.row = row
        super().__init__(f"この受付コードはすでに使われています（受付 {row.case_id or '削除済み'}）。")


class CodeMistyped(CodeProblem):
    pass


def code_for_counter(*, municipality: Municipality, text: str, lock: bool = False) -> PrecheckCode:
    """The usable code `text` of the municipality; CodeMistyped, CodeNotFound, CodeExpired or CodeUsed."""
    try:
        code = read_code(text)
    except CodeUnreadable as exc:
        raise CodeMistyped(str(exc)) from None
    rows = PrecheckCode.objects.filter(municipality=municipality, code=code)
    row = (rows.select_for_update() if lock else rows).first()
    if row is None:
        raise CodeNotFound
    if row.is_used:
        raise CodeUsed(row)
    if row.expires_at <= timezone.now():
        raise CodeExpired(row)
    return row


def fitting_answers(catalog: Catalog, row: PrecheckCode) -> tuple[dict[str, Any], list[str]]:
    """The code's answers that still fit the catalog (it may have changed since the code was issued)."""
    answers = {
        key: value
        for key, value in row.answers.items()
        if key in catalog.question_by_key and normalise_answer(catalog.question_by_key[key], value)[0] is None
    }
    unknown = [
        key
        for key in row.unknown
        if key in catalog.question_by_key
        and catalog.question_by_key[key].allow_unknown
        and key not in answers
    ]
    return answers, unknown


def home_answer_keys(case: Case) -> frozenset[str]:
    """The questions whose answer on the case is still the one the family gave at home (「事前確認より」)."""
    row = PrecheckCode.objects.filter(case=case).only("answers", "unknown").first()
    if row is None:
        return frozenset()
    same = {key for key, value in row.answers.items() if key in case.answers and case.answers[key] == value}
    return frozenset(same | (set(row.unknown) & set(case.unknown)))

"""Which question a fact of the records answers, until the catalog says so itself.

okuyami-catalog/1 lets a question name the fact that answers it (`prefill`), but the catalog
does not store it yet. Meanwhile the counter uses this table for the questions of the
national template (and the catalogs copied from it) that a standard fact answers; a later
stage moves these into the template's questions and reads them from the catalog instead.
"""

from typing import Any

from procedures.catalog import Catalog
from procedures.facts import PrefillSpec, prefill_problem

# question key -> (fact, values). `values` maps a fact's value to the answer it gives; a value
# not listed leaves the question to be asked (the records say only what they know).
TEMPLATE_PREFILL: dict[str, tuple[str, dict[str, Any] | None]] = {
    "head_of_household": ("household.head", None),
    "household_remaining": ("household.remaining", None),
    # 'none' (an employer's insurance, a 国保組合, or none) does not tell which: ask.
    "insurance": ("health.insurance", {"kokuho": "kokuho", "koki": "koki"}),
    "care_certified": ("kaigo.certified", None),
    # Without a 手帳 the answer is none of them; with one, the family says which.
    "disability_certificates": ("disability.certificate", {"false": []}),
    "seal_registration": ("seal.registered", None),
    # A 固定資産税 payer owns land or buildings here; a non-payer may own some elsewhere.
    "real_estate": ("tax.fixed_asset", {"true": True}),
    "residence_card": ("resident.foreign", {"false": "japanese"}),
}


def prefill_specs(catalog: Catalog) -> list[PrefillSpec]:
    """The prefill of the catalog's questions that the table covers and that fit them, in asking order."""
    specs = []
    for question in catalog.questions:
        if question.key not in TEMPLATE_PREFILL:
            continue
        fact, values = TEMPLATE_PREFILL[question.key]
        choices = tuple(choice.value for choice in question.choices)
        if prefill_problem(question_type=question.type, choices=choices, fact=fact, values=values) is None:
            specs.append(PrefillSpec(question.key, question.type, choices, fact, values))
    return specs

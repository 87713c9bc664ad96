"""The cases' operations (/api/v1/cases/…), fuzzed against the schema (tests/api/fuzzing.py)."""

from tests.api.fuzzing import CASES, call_as_every_role, fuzzed, schema


@schema.include(**CASES).parametrize()
@fuzzed
def test_the_case_operations_match_their_schema_and_never_fail(case):
    call_as_every_role(case)

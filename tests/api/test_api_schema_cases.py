"""The cases' operations (/api/v1/cases/…), fuzzed against the schema (tests/api/fuzzing.py): the
reads and the changes as two tests, which two workers can run side by side."""

from tests.api.fuzzing import CASES, call_as_every_role, fuzzed, schema


@schema.include(**CASES, method="GET").parametrize()
@fuzzed
def test_the_case_reads_match_their_schema_and_never_fail(case):
    call_as_every_role(case)


@schema.include(**CASES).exclude(method="GET").parametrize()
@fuzzed
def test_the_case_changes_match_their_schema_and_never_fail(case):
    call_as_every_role(case)

"""The API's operations other than the cases' and the catalog import, fuzzed against the schema
(tests/api/fuzzing.py)."""

from tests.api.fuzzing import CASES, CATALOG_IMPORT, call_as_every_role, fuzzed, schema


@schema.exclude(**CATALOG_IMPORT).exclude(**CASES).parametrize()
@fuzzed
def test_the_api_matches_its_schema_and_never_fails(case):
    call_as_every_role(case)

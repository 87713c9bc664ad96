"""The catalog import, fuzzed against the schema (tests/api/fuzzing.py)."""

from tests.api.fuzzing import CATALOG_IMPORT, call_as_every_role, fuzzed, schema


@schema.include(**CATALOG_IMPORT).parametrize()
@fuzzed
def test_the_catalog_import_matches_its_schema_and_never_fails(case):
    call_as_every_role(case)

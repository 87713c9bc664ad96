"""After a real commit (not the test's one transaction): the replaced extract's partitions go."""

import io
import time

import pytest
from django.core.management import call_command
from django.db import connection

from okuyami.residents.models import Extract, Person
from okuyami.residents.services import drop_partitions, extract_erase, extract_import
from tests.okuyami.residents.conftest import EXAMPLE, person


@pytest.fixture
def _commit_callbacks_run_at_once():
    """Not here: these tests commit for real, and the callbacks run after the commit."""


def partition_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = inhrelid "
            "JOIN pg_class parent ON parent.oid = inhparent "
            "WHERE parent.relname IN ('residents_person', 'residents_personfact') ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_a_replaced_extract_leaves_no_rows_and_on_postgresql_no_partition(city_a, extract_dir):
    extract_import(municipality=city_a, source=extract_dir(EXAMPLE), actor="test")
    first = Extract.objects.get(municipality=city_a).pk
    extract_import(municipality=city_a, source=extract_dir([person("1", household="1")]), actor="test")
    second = Extract.objects.get(municipality=city_a).pk
    assert list(Person.objects.values_list("extract_id", "atena_number")) == [(second, "1")]
    if connection.vendor == "postgresql":
        assert partition_tables() == [f"residents_person_{second}", f"residents_personfact_{second}"]
        assert first != second
    extract_erase(municipality=city_a, reason="test", actor="test")
    assert not Person.objects.exists()
    if connection.vendor == "postgresql":
        assert partition_tables() == []


@pytest.mark.django_db(transaction=True)
def test_a_partition_drop_never_makes_the_searches_wait(city_a, extract_dir):
    """A drop that would wait for the table (a long query holds it) is left for the next purge."""
    extract_import(municipality=city_a, source=extract_dir(EXAMPLE), actor="test")
    first = Extract.objects.get(municipality=city_a).pk
    if connection.vendor != "postgresql":  # plain tables: the rows went with the extract
        extract_import(municipality=city_a, source=extract_dir([person("1", household="1")]), actor="test")
        assert drop_partitions() is None and not Person.objects.filter(extract_id=first).exists()
        return
    import psycopg

    settings = connection.settings_dict
    reader = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    try:
        reader.execute("SELECT count(*) FROM residents_person")  # holds the table until it ends
        started = time.monotonic()
        extract_import(municipality=city_a, source=extract_dir([person("1", household="1")]), actor="test")
        assert time.monotonic() - started < 5
        assert f"residents_person_{first}" in partition_tables()  # left: the reader holds the table
    finally:
        reader.rollback()
        reader.close()
    out = io.StringIO()
    call_command("purge_residents", "--expired", stdout=out)  # the next purge drops it
    second = Extract.objects.get(municipality=city_a).pk
    assert partition_tables() == [f"residents_person_{second}", f"residents_personfact_{second}"]
    extract_erase(municipality=city_a, reason="test", actor="test")
    assert partition_tables() == []

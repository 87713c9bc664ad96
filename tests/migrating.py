"""For the tests of data migrations: take the database back to an old schema, fill it there
through the historical models, and migrate forward (and back) again."""

from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` ((app, migration), or (app, None) for before the app's first) and
    return the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@contextmanager
def migrated_back(targets):
    """The historical apps at `targets`; whatever happens inside, the database is migrated to the
    latest schema again on the way out, so the tests after this one find the schema they expect."""
    try:
        yield migrate(targets)
    finally:
        migrate(latest())


def historical_city(apps):
    """船橋市 (122041) in the historical models."""
    return apps.get_model("procedures", "Municipality").objects.create(
        code="122041", name="船橋市", prefecture="千葉県"
    )


def historical_counter(apps):
    """船橋市 with 本庁舎 (main) and its 市民課 (shimin), in the historical models."""
    city = historical_city(apps)
    place = apps.get_model("procedures", "Place").objects.create(
        municipality=city, key="main", name="本庁舎", order=1
    )
    return apps.get_model("procedures", "Counter").objects.create(
        municipality=city, key="shimin", name="市民課", place=place, order=1
    )

"""PostgreSQL: the extract's tables are partitioned by extract, one partition per import.

Loading a 700,000-person extract row by row into indexed tables, and deleting the previous
one row by row, writes gigabytes of WAL. Instead an import COPYs into a fresh table with no
index, then attaches it as a partition, which builds its indexes in one pass; erasing an
extract drops its partitions, which also leaves none of its data in the table files. Other
databases (SQLite) keep plain tables.
"""

from django.db import OperationalError, connection, migrations, transaction

PARTITION_KEY = "extract_id"
LOCK_TIMEOUT_MS = 200


def partitioned() -> bool:
    return connection.vendor == "postgresql"


class CreatePartitionedModel(migrations.CreateModel):
    """CreateModel, but on PostgreSQL the table is `PARTITION BY LIST (extract_id)`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.sql_create_table = (
                f"CREATE TABLE %(table)s (%(definition)s) PARTITION BY LIST ({PARTITION_KEY})"
            )
        try:
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        finally:
            schema_editor.__dict__.pop("sql_create_table", None)


def partition_name(table: str, extract_id: int) -> str:
    return f"{table}_{int(extract_id)}"


def partition_create(cursor, table: str, extract_id: int) -> str:
    """A table like `table` for one extract, not yet attached and without indexes; its name."""
    name = partition_name(table, extract_id)
    cursor.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    # The attach then knows every row belongs to the extract without reading them all again.
    cursor.execute(
        f"ALTER TABLE {name} ADD CONSTRAINT {name}_key CHECK ({PARTITION_KEY} = {int(extract_id)})"
    )
    return name


def partition_attach(cursor, table: str, extract_id: int) -> None:
    """Attach the loaded table: PostgreSQL builds its indexes (those of `table`) now, in one pass."""
    name = partition_name(table, extract_id)
    cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES IN ({int(extract_id)})")
    cursor.execute(f"ANALYZE {name}")


def partitions_orphaned(cursor, table: str, extract_table: str) -> list[str]:
    """The partitions of `table` whose extract is gone (replaced or erased)."""
    cursor.execute(
        f"""
        SELECT child.relname FROM pg_inherits
        JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
        JOIN pg_class child ON child.oid = pg_inherits.inhrelid
        WHERE parent.relname = %s AND child.relkind = 'r'
          AND NOT EXISTS (
            SELECT 1 FROM {extract_table}
            WHERE {extract_table}.id::text = substring(child.relname from '_([0-9]+)$')
          )
        ORDER BY child.relname
        """,
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def partitions_drop(tables: list[str], extract_table: str) -> list[str]:
    """Drop every partition whose extract is gone; the names dropped.

    Dropping a partition locks its parent table, so every municipality's search, until the
    drop commits: each drop is its own short transaction, and one that cannot have the lock
    at once (another municipality's import holds the table until it commits) is left for the
    next import or purge_residents, rather than making the searches queue behind it.
    """
    dropped = []
    with connection.cursor() as cursor:
        orphans = [name for table in tables for name in partitions_orphaned(cursor, table, extract_table)]
    for name in orphans:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
        except OperationalError:  # the lock was not free in time
            continue
        dropped.append(name)
    return dropped

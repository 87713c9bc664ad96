"""Django in a benchmark's own process: production settings (debug off) on the database it names."""

import os
import tempfile

# Not a secret: it signs nothing but the benchmarks' throwaway databases and servers.
SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdef"


def setup_django(database_url: str | None = None, *, name: str = "bench", **settings: str) -> None:
    """Django set up with debug off on `database_url`, else on DATABASE_URL, else on a new SQLite
    file `<name>.sqlite3` in a temporary folder; `settings` are more DJANGO_* variables."""
    if database_url is None:
        database_url = os.environ.get("DATABASE_URL")
    if database_url is None:
        database_url = f"sqlite:///{tempfile.mkdtemp()}/{name}.sqlite3"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DATABASE_URL=database_url,
        **settings,
    )
    import django

    django.setup()

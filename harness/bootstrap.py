"""Set Django up for tests and notebooks: settings, a migrated SQLite file, the seed users.

With ``HARNESS_DATABASE=postgres`` the default database is PostgreSQL instead
(``harness.databases.process_database``: ``DATABASE_URL``'s server, or one started for this
process); the SQLite file is still made, so switching back (``use_database("sqlite")``) works.

The database is a file (``HARNESS_DB_PATH``), not ``:memory:``, because an in-memory SQLite
database exists per connection and Django opens one per thread; a Daphne subprocess started by
``harness.servers`` gets the same path and so sees the same users.
"""

import atexit
import os
import secrets
import tempfile
from pathlib import Path

import django

from .orm import in_thread, migrate_and_seed

_state: dict = {}


def bootstrap(settings_module: str = "harness.settings.test") -> Path:
    """Idempotent. Returns the SQLite database path (also exported as ``HARNESS_DB_PATH``)."""
    if "db" in _state:
        return _state["db"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    _default_redis_prefix()
    if not os.environ.get("HARNESS_DB_PATH"):
        folder = tempfile.mkdtemp(prefix="harness-db-")
        os.environ["HARNESS_DB_PATH"] = str(Path(folder) / "db.sqlite3")
        atexit.register(_remove_tree, folder)
    if os.environ.get("HARNESS_DATABASE") == "postgres":
        from .databases import process_database

        os.environ["DATABASE_URL"] = process_database()  # before the settings read it
    django.setup()
    migrate_and_seed()
    _state["db"] = Path(os.environ["HARNESS_DB_PATH"])
    return _state["db"]


def _default_redis_prefix() -> None:
    """On a Redis the harness did not start (``REDIS_URL`` given from outside), give this
    process and the servers it starts a channel-layer prefix of their own, so parallel runs
    sharing that Redis (``pytest -n``, notebooks) never see each other's groups. A prefix
    already set (by the user, or inherited from the process that started this one, which
    then shares its layer on purpose) is kept. A Redis started by ``harness.servers`` (its
    socket in a ``harness-redis-`` folder) is private anyway and keeps the default "asgi".
    """
    url = os.environ.get("REDIS_URL", "")
    if url and "/harness-redis-" not in url:
        os.environ.setdefault("HARNESS_REDIS_PREFIX", f"asgi-{os.getpid()}-{secrets.token_hex(3)}")


def _remove_tree(folder: str) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def run_sync(fn):
    """Run synchronous Django code (ORM) from a notebook or async test; returns its result."""
    result: list = []
    in_thread(lambda: result.append(fn()))
    return result[0]

"""PostgreSQL databases for the harness, and switching this process's database at run time.

- ``fresh_database(server_url)``: a new, empty database on a server, dropped on exit.
- ``process_database()``: this process's PostgreSQL database (started or reused once, kept
  until the interpreter exits).
- ``configure(kind)``: point Django at "sqlite" or "postgres" and export the choice to the
  servers and pytest sessions started afterwards; ``use_database(kind)`` also migrates and
  seeds it.
- ``database(kind)``: the same for a block, restored after (the fixtures use it).
"""

import atexit
import contextlib
import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from .servers.postgres import _pg_connect, postgres_server

# Databases this harness creates are named harness_<pid>_<hex>. A DATABASE_URL naming one was
# exported by the harness process that started this one, which shares it on purpose.
PREFIX = "harness_"
_EXPORTED = ("HARNESS_DATABASE", "DATABASE_URL")

_exit = contextlib.ExitStack()
atexit.register(_exit.close)
_state: dict = {}


def with_name(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


@contextlib.contextmanager
def fresh_database(server_url: str, *, drop: bool = True, timeout: float = 10.0) -> Iterator[str]:
    """Create ``harness_<pid>_<hex>`` on the server at ``server_url``; yield its URL; drop it.

    Its own database, so parallel processes on one server (``pytest -n``, a user's
    ``DATABASE_URL``) never migrate or seed the same tables. Dropped ``WITH (FORCE)``
    (PostgreSQL 13+), which ends sessions that are still connected to it; ``drop=False`` for
    a server that goes away with its data anyway.
    """
    name = f"{PREFIX}{os.getpid()}_{secrets.token_hex(3)}"
    with _pg_connect(server_url, timeout) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_name(server_url, name)
    finally:
        if drop:
            _drop(server_url, name, timeout)


def _drop(server_url: str, name: str, timeout: float) -> None:
    with _pg_connect(server_url, timeout) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def process_database() -> str:
    """The URL of this process's PostgreSQL database, made once.

    ``$DATABASE_URL`` as it is when it names a harness database (inherited from the process
    that started this one); otherwise a fresh database on the server at ``$DATABASE_URL``
    (dropped at exit), or on a ``postgres_server()`` started for this process (stopped at
    exit, its folder removed; the server may already be stopping by then, see
    ``harness.servers``: its spawner thread ends before ``atexit`` hooks run).
    """
    if "url" not in _state:
        given = os.environ.get("DATABASE_URL")
        if given and database_name(given).startswith(PREFIX):
            _state["url"] = given
        elif given:
            _state["url"] = _exit.enter_context(fresh_database(given))
        else:
            server = _exit.enter_context(postgres_server())
            _state["url"] = _exit.enter_context(fresh_database(server, drop=False))
    return _state["url"]


def _reset_connections() -> None:
    """Make ``django.db.connections`` read ``settings.DATABASES`` again.

    Django reads ``DATABASES`` once (``ConnectionHandler.settings`` is a cached property) and
    does not support changing it (``override_settings(DATABASES=...)`` only warns). This closes
    the calling thread's connections and forgets every thread's: switch before other threads
    (``database_sync_to_async`` workers) open connections, as notebooks and fixtures do.
    """
    import asyncio

    from asgiref.local import Local
    from django.db import connections

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        connections.close_all()
    # else: this thread runs a loop (a notebook cell), where Django refuses to open connections
    # (SynchronousOnlyOperation), so it holds none to close, and closing would raise the same.
    connections.__dict__.pop("settings", None)
    connections._settings = None
    connections._connections = Local(connections.thread_critical)


def configure(kind: str, url: str | None = None) -> dict:
    """Point this process's Django at ``kind`` ("sqlite" or "postgres"); returns ``DATABASES``.

    "postgres" without ``url`` uses ``process_database()``. Exports ``HARNESS_DATABASE`` and
    ``DATABASE_URL``, so a Daphne or pytest subprocess started afterwards uses the same
    database. Creates no tables: a test runner that makes its own test database (pytest-django,
    Django's runner) needs nothing more, if this runs before it does (a scenario module calls
    it at import, during collection).
    """
    from django.conf import settings

    from .settings.base import databases

    if kind == "postgres":
        url = url or process_database()
    config = databases(kind, url)  # raises ImproperlyConfigured for an unknown kind
    settings.DATABASES = config
    _reset_connections()
    os.environ["HARNESS_DATABASE"] = kind
    if url:
        os.environ["DATABASE_URL"] = url
    return config


def use_database(kind: str, url: str | None = None) -> dict:
    """``configure(kind, url)``, then migrate and seed the database (idempotent).

    Synchronous set-up runs in a worker thread, so this may be called from a running event loop
    (a notebook cell).
    """
    from .orm import migrate_and_seed

    config = configure(kind, url)
    migrate_and_seed()
    return config


@contextlib.contextmanager
def database(kind: str, url: str | None = None) -> Iterator[dict]:
    """``use_database`` for a block; restores the setting, the environment and the connections."""
    from django.conf import settings

    saved_env = {key: os.environ.get(key) for key in _EXPORTED}
    saved = settings.DATABASES
    try:
        yield use_database(kind, url)
    finally:
        settings.DATABASES = saved
        _reset_connections()
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

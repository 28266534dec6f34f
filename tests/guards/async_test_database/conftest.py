"""The database these sessions use: ``HARNESS_DATABASE`` ("sqlite" or "postgres", with
``DATABASE_URL`` or a server started for the session). SQLite gets a *file* test database, the
case where SQLite's locks matter (Django's in-memory default shares one database between threads
through a shared cache, with table locks of its own). ``PROBE_SQLITE_TEST_DB=memory`` keeps
Django's in-memory default instead (the notebook's close-points probe, to show that Channels'
closes never reach it).

Configured when this file is imported, before pytest-django creates the test database.
"""

import os
from pathlib import Path

import pytest_asyncio
from django.conf import settings

from harness.databases import configure

configure(os.environ.get("HARNESS_DATABASE", "sqlite"))
if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and os.environ.get("PROBE_SQLITE_TEST_DB") != "memory":
    settings.DATABASES["default"]["TEST"] = {"NAME": str(Path(__file__).with_name("test_file.sqlite3"))}


@pytest_asyncio.fixture
async def close_worker_connections():
    """After the test, close the connections that the async ORM and ``sync_to_async`` opened on
    asgiref's worker thread (``database_sync_to_async`` closes its own). Without it such a
    connection outlives the test, and on PostgreSQL the test database cannot be dropped."""
    yield
    from asgiref.sync import sync_to_async
    from django.db import connections

    await sync_to_async(connections.close_all)()

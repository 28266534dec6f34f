"""SQLite, a file test database: an async ORM write waits for the test's transaction, then fails.

The ``dora`` fixture's INSERT, inside the test's transaction, holds SQLite's write lock until the
test ends. ``acreate`` runs on asgiref's worker thread with its own connection, waits SQLite's
busy timeout (5 s) for that lock, and gives up.
"""

from harness.databases import configure

configure("sqlite")

from pathlib import Path  # noqa: E402

from django.conf import settings  # noqa: E402

settings.DATABASES["default"]["TEST"] = {"NAME": str(Path(__file__).with_name("test_file.sqlite3"))}

import pytest  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402


@pytest.mark.asyncio
async def test_an_async_write_after_a_fixture_write(dora):
    eve = await get_user_model().objects.acreate(username="eve")
    assert eve.pk != dora.pk

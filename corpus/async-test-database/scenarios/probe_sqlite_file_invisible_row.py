"""SQLite, a file test database: the consumer cannot see the user the test just made.

``@pytest.mark.django_db`` (through the ``db`` fixture) runs the test inside a transaction on
the test thread's connection. The consumer reads with ``database_sync_to_async``, on asgiref's
worker thread, whose own connection cannot see uncommitted rows.
"""

from harness.databases import configure

configure("sqlite")

from pathlib import Path  # noqa: E402

from django.conf import settings  # noqa: E402

settings.DATABASES["default"]["TEST"] = {"NAME": str(Path(__file__).with_name("test_file.sqlite3"))}

import pytest  # noqa: E402

from harness.client import communicator  # noqa: E402
from harness.consumers.profile import profile_router  # noqa: E402


@pytest.mark.asyncio
async def test_the_consumer_reads_the_user_the_test_made(dora):
    comm = communicator(f"/ws/profile/{dora.pk}/", application=profile_router())
    connected, _ = await comm.connect(timeout=5)
    assert connected
    assert await comm.receive_json_from(timeout=5) == {
        "type": "profile", "id": dora.pk, "username": "dora",
    }
    await comm.disconnect()

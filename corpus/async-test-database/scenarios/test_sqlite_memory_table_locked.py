"""SQLite, Django's in-memory test database: the consumer's thread finds the table locked.

Django's test database for SQLite is ``file:memorydb_default?mode=memory&cache=shared``: every
thread's connection shares one in-memory database, so the worker thread does see the tables
(no "no such table" here). Shared-cache SQLite locks per table: while the test's transaction
holds its write on ``auth_user``, another connection's read of that table fails at once.
"""

from harness.databases import configure

configure("sqlite")  # no TEST NAME: Django's shared-cache in-memory test database

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

"""Fix 1: ``transaction=True``: the test's rows are committed, every thread's connection sees
them, and tables are emptied after each test instead of a rollback."""

import pytest
from django.contrib.auth import get_user_model

from harness.client import communicator
from harness.consumers.profile import profile_router


@pytest.fixture
def dora(transactional_db):
    return get_user_model().objects.create(username="dora")


@pytest.mark.asyncio
async def test_the_consumer_reads_the_user_the_test_made(dora):
    comm = communicator(f"/ws/profile/{dora.pk}/", application=profile_router())
    connected, _ = await comm.connect(timeout=5)
    assert connected
    assert await comm.receive_json_from(timeout=5) == {
        "type": "profile", "id": dora.pk, "username": "dora",
    }
    await comm.disconnect()


@pytest.mark.asyncio
async def test_an_async_write_after_a_fixture_write(dora, close_worker_connections):
    eve = await get_user_model().objects.acreate(username="eve")
    assert await get_user_model().objects.filter(username__in=["dora", "eve"]).acount() == 2
    assert eve.pk != dora.pk

"""Failures through the harness's real consumers whose cause is the test's own expectation."""

import pytest

from harness.client import communicator


@pytest.mark.asyncio
async def test_echo_replies_with_something_else(harness_db):
    comm = communicator("/ws/echo/")
    try:
        connected, _ = await comm.connect(timeout=5)
        assert connected
        await comm.send_json_to({"type": "echo", "text": "hi"})
        reply = await comm.receive_json_from(timeout=5)
        assert reply == {"type": "echo", "text": "bye"}
    finally:
        await comm.disconnect(timeout=5)


@pytest.mark.asyncio
async def test_waits_for_a_message_that_is_never_sent(harness_db):
    comm = communicator("/ws/echo/")
    connected, _ = await comm.connect(timeout=5)
    assert connected
    await comm.receive_json_from(timeout=0.2)  # a plain timeout: nothing was sent


@pytest.mark.asyncio
async def test_database_row_missing(harness_db):
    from channels.db import database_sync_to_async
    from django.contrib.auth import get_user_model

    await database_sync_to_async(get_user_model().objects.get)(username="nobody")

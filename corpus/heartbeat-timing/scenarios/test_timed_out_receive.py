# kb-corpus: asgiref >= 3.9
"""The usual way to test a heartbeat: wait for the ping, disconnect in ``finally``. At the
production timing (a ping every 25 s) the receive times out first; asgiref cancels the
application, and ``disconnect()`` re-raises that cancellation (asgiref >= 3.9)."""

import pytest


@pytest.mark.asyncio
async def test_server_pings_on_its_own(memory_layer):
    from harness.client import communicator

    conn = communicator("/ws/match/corpus-naive/", user="alice")
    assert await conn.connect(timeout=5) == (True, None)
    try:
        assert await conn.receive_json_from(timeout=0.2) == {"type": "ping"}
    finally:
        await conn.disconnect()

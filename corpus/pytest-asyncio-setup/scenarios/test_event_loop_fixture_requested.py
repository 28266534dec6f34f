# kb-corpus: pytest-asyncio >= 1.0
"""A sync fixture that drives coroutines on pytest-asyncio's event_loop fixture (removed in 1.0)."""

import pytest

from harness.client import communicator


@pytest.fixture
def echo(event_loop, harness_db):
    comm = communicator("/ws/echo/")
    connected, _ = event_loop.run_until_complete(comm.connect())
    assert connected
    yield comm
    event_loop.run_until_complete(comm.disconnect())


@pytest.mark.asyncio
async def test_echo_round_trip(echo):
    await echo.send_json_to({"type": "ping"})
    assert await echo.receive_json_from() == {"type": "ping"}

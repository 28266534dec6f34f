# kb-corpus: pytest-asyncio >= 0.23
# kb-corpus: pytest-asyncio < 1.2
"""pytest-asyncio 0.23-1.1.x: a sync fixture calls asyncio.run() after the test's loop was set up."""

import asyncio

import pytest
import pytest_asyncio
from channels.layers import get_channel_layer

from harness.client import communicator


@pytest_asyncio.fixture
async def echo(harness_db):  # sets up the test's runner (and its loop) first
    comm = communicator("/ws/echo/")
    connected, _ = await comm.connect()
    assert connected
    yield comm
    await comm.disconnect()


@pytest.fixture
def spectator():  # a sync fixture that prepares state with asyncio.run()
    asyncio.run(get_channel_layer().group_add("room", "spectator"))


@pytest.mark.asyncio
async def test_echo_round_trip(echo, spectator):
    await echo.send_json_to({"type": "ping"})
    assert await echo.receive_json_from() == {"type": "ping"}

"""A communicator built in a sync fixture, outside any running event loop."""

import pytest

from harness.client import communicator


@pytest.fixture
def echo(harness_db):
    return communicator("/ws/echo/")  # asgiref 3.8 starts the application task right here


@pytest.mark.asyncio
async def test_echo_round_trip(echo):
    connected, _ = await echo.connect()
    assert connected
    await echo.send_json_to({"type": "ping"})
    assert await echo.receive_json_from() == {"type": "ping"}
    await echo.disconnect()

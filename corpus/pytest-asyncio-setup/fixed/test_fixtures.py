"""The strict-mode scenarios fixed: async fixtures declared with ``@pytest_asyncio.fixture``,
async tests marked, a wider fixture with its loop scope, no event_loop and no policy override."""

import pytest
import pytest_asyncio

from harness.client import communicator


@pytest_asyncio.fixture
async def echo(harness_db):
    comm = communicator("/ws/echo/")
    connected, _ = await comm.connect()
    assert connected
    yield comm
    await comm.disconnect()


@pytest_asyncio.fixture
async def spectator():  # async, not asyncio.run() in a sync fixture
    from channels.layers import get_channel_layer

    await get_channel_layer().group_add("room", "spectator")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def session_value():
    yield 1


@pytest.mark.asyncio
async def test_echo_round_trip(echo, spectator):
    await echo.send_json_to({"type": "ping"})
    assert await echo.receive_json_from() == {"type": "ping"}


@pytest.mark.asyncio(loop_scope="session")
async def test_session_value(session_value):
    assert session_value == 1

"""The pre-0.23 recipe for a session-wide loop (override event_loop), with warnings as errors."""

import asyncio

import pytest
import pytest_asyncio

from harness.client import communicator

pytestmark = pytest.mark.filterwarnings("error")  # as `filterwarnings = error` in pytest.ini


@pytest.fixture(scope="session")
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest_asyncio.fixture(scope="session")
async def echo(harness_db):
    comm = communicator("/ws/echo/")
    connected, _ = await comm.connect()
    assert connected
    yield comm
    await comm.disconnect()


@pytest.mark.asyncio
async def test_echo_round_trip(echo):
    await echo.send_json_to({"type": "ping"})
    assert await echo.receive_json_from() == {"type": "ping"}

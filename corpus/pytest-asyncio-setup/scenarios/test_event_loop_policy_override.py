# kb-corpus: pytest-asyncio >= 1.4
"""An override of the event_loop_policy fixture (deprecated from 1.4), with warnings as errors."""

import asyncio

import pytest

from harness.client import communicator

pytestmark = pytest.mark.filterwarnings("error")  # as `filterwarnings = error` in pytest.ini


@pytest.fixture(scope="session")
def event_loop_policy():
    return asyncio.DefaultEventLoopPolicy()


@pytest.mark.asyncio
async def test_echo_round_trip(harness_db):
    comm = communicator("/ws/echo/")
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_json_from() == {"type": "ping"}
    await comm.disconnect()

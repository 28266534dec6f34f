# kb-corpus: pytest-asyncio >= 0.24
"""A session-scoped async fixture while fixtures default to function-scoped event loops."""

import pytest
import pytest_asyncio

from harness.client import communicator


@pytest_asyncio.fixture(scope="session")  # its loop scope: asyncio_default_fixture_loop_scope
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

# kb-corpus: pytest >= 9.0
# kb-corpus: pytest < 9.1
"""Strict mode: an async fixture declared with @pytest.fixture is never run by pytest-asyncio."""

import pytest

from harness.client import communicator


@pytest.fixture  # should be @pytest_asyncio.fixture in strict mode
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

# kb-corpus: pytest-asyncio >= 0.25
# kb-corpus: pytest < 8.4
"""Strict mode: an asyncio test requests an async fixture declared with @pytest.fixture (0.25+ warns)."""

import pytest

from harness.client import communicator

pytestmark = pytest.mark.filterwarnings("error")  # as `filterwarnings = error` in pytest.ini


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

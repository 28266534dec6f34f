"""Strict mode: an async fixture that *returns* its value, declared with @pytest.fixture, is never
run by pytest-asyncio either: pytest hands the test the coroutine object (pytest < 8.4 silently;
8.4 warns; 9.0 errors at set-up through its default warning filter, which a filterwarnings ignore
undoes; 9.1 always errors), so the first use of it fails with 'coroutine' object has no
attribute (the async_generator spelling is the yield-fixture's, in the folder's other scenario)."""

import pytest

from harness.client import communicator


@pytest.fixture  # should be @pytest_asyncio.fixture in strict mode
async def echo():
    comm = communicator("/ws/echo/")
    connected, _ = await comm.connect()
    assert connected
    return comm


@pytest.mark.asyncio
async def test_echo_round_trip(echo):
    await echo.send_json_to({"type": "ping"})
    assert await echo.receive_json_from() == {"type": "ping"}

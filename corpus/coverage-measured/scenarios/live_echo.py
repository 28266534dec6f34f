"""A live-server test (not collected by the corpus runner: the scripts run it under coverage)."""

import asyncio

import pytest

from harness import client


@pytest.mark.asyncio
async def test_echo_over_daphne(daphne):
    server = daphne()
    ws = await client.connect(server.url, "/ws/echo/", origin=server.origin)
    await ws.send("hello")
    assert await asyncio.wait_for(ws.recv(), 5) == "hello"
    await ws.close()

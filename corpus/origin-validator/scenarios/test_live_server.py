"""A real Daphne and the websockets client without origin=: the handshake is refused."""

import pytest
import websockets


@pytest.mark.asyncio
async def test_echo_over_daphne(daphne):
    server = daphne()
    async with websockets.connect(f"{server.url}/ws/echo/", open_timeout=5) as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"

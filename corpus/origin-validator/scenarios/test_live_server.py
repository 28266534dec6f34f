"""A module with a real-server test (Daphne and the websockets client without origin=: the
handshake is refused with HTTP 403) and an in-process one (communicator, no Origin)."""

import pytest
import websockets
from channels.testing import WebsocketCommunicator


@pytest.mark.asyncio
async def test_echo_over_daphne(daphne):
    server = daphne()
    async with websockets.connect(f"{server.url}/ws/echo/", open_timeout=5) as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"


@pytest.mark.asyncio
async def test_echo_in_process(harness_db):
    from harness.stacks import production_stack

    communicator = WebsocketCommunicator(production_stack(), "/ws/echo/")
    try:
        assert await communicator.connect() == (True, None)
    finally:
        await communicator.disconnect()

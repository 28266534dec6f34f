"""test_legacy_client.py fixed: the new client (``websockets.asyncio.client``, websockets >= 13.0)
and its refused-handshake error ``InvalidStatus``, under the same ``filterwarnings = error``."""

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus


@pytest.mark.asyncio
async def test_echo_with_new_client(daphne):
    server = daphne()
    async with connect(f"{server.url}/ws/echo/", origin="http://localhost", open_timeout=5) as ws:
        await ws.send("hello")
        assert await asyncio.wait_for(ws.recv(), 5) == "hello"


@pytest.mark.asyncio
async def test_refused_handshake_status(daphne):
    server = daphne()
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"{server.url}/ws/echo/", open_timeout=5):  # no Origin: HTTP 403
            pass
    assert refused.value.response.status_code == 403

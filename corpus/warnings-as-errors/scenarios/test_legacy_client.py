# kb-corpus: websockets >= 14
"""Tests written against websockets' legacy client API (websockets <= 13), run on websockets 14
or later with ``filterwarnings = error``: each access to a deprecated name raises
``DeprecationWarning: websockets.<module>.<name> is deprecated`` where the test touches it."""

import asyncio

import pytest
import websockets


@pytest.mark.asyncio
async def test_echo_with_legacy_connect(daphne):
    from websockets.client import connect  # the legacy client (websockets.legacy.client)

    server = daphne()
    async with connect(f"{server.url}/ws/echo/", origin="http://localhost", open_timeout=5) as ws:
        await ws.send("hello")
        assert await asyncio.wait_for(ws.recv(), 5) == "hello"


async def legacy_connect(url: str, **kwargs):
    """The legacy client, imported where it is used (websockets <= 13's ``websockets.connect``)."""
    from websockets.legacy.client import connect

    return await connect(url, **kwargs)


@pytest.mark.asyncio
async def test_refused_handshake_status_code(daphne):
    server = daphne()
    with pytest.raises(websockets.exceptions.InvalidStatusCode) as refused:  # the legacy exception
        await legacy_connect(f"{server.url}/ws/echo/", open_timeout=5)  # no Origin: HTTP 403
    assert refused.value.status_code == 403

"""cascade_port_in_use.py and the proxy scripts fixed: every server binds port 0 (Daphne picks a
free one), and the client passes ``proxy=None`` to reach a local server."""

import os

import pytest
import websockets

from harness.servers import daphne_server


@pytest.mark.asyncio
async def test_echo_on_a_free_port(harness_db):
    os.environ["http_proxy"] = "http://127.0.0.1:3128"  # as a CI runner exports it
    with daphne_server() as server:
        async with websockets.connect(f"{server.url}/ws/echo/", origin=server.origin, proxy=None,
                                      open_timeout=10) as ws:
            await ws.send("hello")

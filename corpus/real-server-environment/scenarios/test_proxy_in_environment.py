"""A live-server test that passes on a laptop and fails on a CI runner that exports a proxy.

The runner's environment is reproduced with monkeypatch; the proxy address is a loopback port
where nothing listens, the way an unreachable corporate proxy looks from a build container.
"""

import pytest
import websockets

PROXY = "http://127.0.0.1:3128"


@pytest.mark.asyncio
@pytest.mark.parametrize("variable", ["http_proxy", "HTTPS_PROXY"])
async def test_echo_over_a_live_server(daphne, monkeypatch, variable):
    server = daphne()
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.setenv(variable, PROXY)
    async with websockets.connect(f"{server.url}/ws/echo/", origin=server.origin, open_timeout=5) as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"

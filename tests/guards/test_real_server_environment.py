"""Guard for real-server-environment: the harness's real-server kit is immune to the machine.

Fails if ``harness.client.connect`` starts honouring proxy variables (``proxy=None`` dropped),
if ``daphne_server`` stops choosing a free port or binding 127.0.0.1 by default, or if a taken
port becomes a timeout instead of Daphne's ``[Errno 98]`` line. See
context/real-server-environment.md.
"""

import asyncio
import os
from unittest import mock

import pytest

PROXY = "http://127.0.0.1:3128"  # loopback, nothing listens there
PROXY_VARIABLES = {
    "http_proxy": PROXY, "https_proxy": PROXY, "HTTP_PROXY": PROXY, "HTTPS_PROXY": PROXY,
    "ws_proxy": PROXY, "no_proxy": "", "NO_PROXY": "",
}


@pytest.fixture(scope="module")
def server(harness_db):
    from harness.servers import daphne_server

    with daphne_server() as running:
        yield running


@pytest.mark.realserver
@pytest.mark.asyncio
async def test_harness_client_ignores_proxy_variables(server):
    from harness import client

    with mock.patch.dict(os.environ, PROXY_VARIABLES):
        ws = await client.connect(server.url, "/ws/echo/", origin=server.origin, timeout=10)
        try:
            await ws.send("direct")
            assert await asyncio.wait_for(ws.recv(), 10) == "direct"
        finally:
            await ws.close()


@pytest.mark.realserver
def test_servers_bind_loopback_ipv4_on_free_ports(server, harness_db):
    from harness.servers import daphne_server

    with daphne_server() as other:
        assert server.url.startswith("ws://127.0.0.1:") and other.url.startswith("ws://127.0.0.1:")
        assert server.port != other.port and 0 not in (server.port, other.port)


@pytest.mark.realserver
def test_taken_port_fails_fast_with_errno_98(server):
    from harness.servers import ServerError, daphne_server

    # Daphne's own exit, not the readiness timeout: the harness says "exited with" only when the
    # process ended before it listened (a bound on the clock would fail on a loaded machine).
    with pytest.raises(ServerError, match=r"(?s)^Daphne exited with \d+:.*\[Errno 98\] Address already in use\."):
        with daphne_server(port=server.port, timeout=120):
            pass

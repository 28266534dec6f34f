"""Live-server tests on one fixed port; an earlier test failed and left its server listening.

The first test starts Daphne in its body and fails before its stop line (it is marked xfail, as
a known-flaky test often is, so only what follows shows as a failure). Every later test that
needs the port then fails to start its server. The notebook runs this file with pytest; it is not
a ``test_`` scenario of the corpus because pytest's one-line forms of its failure (80 columns)
cut the message before the errno: the corpus has the same failure from
``script_port_left_listening.py``.
"""

import socket

import pytest

from harness.servers import daphne_server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = _free_port()  # stands for a hard-coded 8000: fixed for the whole session
STARTED = []  # servers started by tests; the harness stops them all at interpreter exit


@pytest.mark.xfail(reason="flaky upstream; its server is stopped on the last line", strict=True)
def test_leaves_its_server_listening(harness_db):
    manager = daphne_server(port=PORT)
    STARTED.append(manager)
    server = manager.__enter__()
    assert server.port == PORT
    raise AssertionError("a flaky assertion fails here")
    manager.__exit__(None, None, None)  # never reached


@pytest.mark.asyncio
async def test_echo_on_the_fixed_port(harness_db):
    from harness import client

    with daphne_server(port=PORT) as server:
        ws = await client.connect(server.url, "/ws/echo/", origin=server.origin)
        await ws.close()

"""Live-server tests: a real Daphne serves ``closing_asgi``; the client is the real ``websockets``.

- ``test_recv``/``test_code``: the consumer closes with an IntEnum code (4000 by value). Under
  Daphne, autobahn refuses a close code whose type is not exactly ``int``; the consumer dies
  and Daphne closes with 1011 (the same consumer passes a communicator test).
- ``test_ok``: the consumer closes normally (1000) before sending what the test waits for.
- ``test_gone``: the server stops under an open connection (a crash, or a server fixture torn
  down before the test's client): no close frame at all.
Short test names: pytest's one-line summary then still shows the message.
"""

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def start_server():
    from harness.servers import REPO, daphne_server

    pythonpath = os.pathsep.join([str(REPO), str(HERE)])
    return daphne_server(app="closing_asgi:application", env={"PYTHONPATH": pythonpath})


@pytest.fixture(scope="module")
def server(harness_db):
    with start_server() as running:
        yield running


@pytest.mark.asyncio
async def test_recv(server):
    from harness import client

    async with await client.connect(server.url, "/ws/close/enum/", origin=server.origin, timeout=5) as ws:
        assert await client.recv_json(ws, timeout=5) == {"type": "welcome"}


@pytest.mark.asyncio
async def test_code(server):
    from harness import client

    async with await client.connect(server.url, "/ws/close/enum/", origin=server.origin, timeout=5) as ws:
        assert await client.close_code(ws, timeout=5) == 4000


@pytest.mark.asyncio
async def test_ok(server):
    from harness import client

    async with await client.connect(server.url, "/ws/close/plain/", origin=server.origin, timeout=5) as ws:
        assert await client.recv_json(ws, timeout=5) == {"type": "welcome"}


@pytest.mark.asyncio
async def test_gone(harness_db):
    from harness import client
    from harness.servers import stop

    with start_server() as own:
        async with await client.connect(own.url, "/ws/close/echo/", origin=own.origin, timeout=5) as ws:
            stop(own.proc)  # the server goes away while the test still waits for its answer
            assert await client.recv_json(ws, timeout=5) == {"type": "welcome"}

"""Guard for entry origin-validator: the production stack keeps checking the Origin.

Fails if the validator is removed from ``harness.stacks.production_stack`` (the incident's
"fix"), or if a test stack without it is what Daphne serves: a missing or foreign Origin must be
refused, over the in-process communicator and over a real Daphne server, and a matching Origin
must still connect. See context/origin-validator.md.
"""

import asyncio

import pytest

from harness import client
from harness.compat import HandshakeRefused, refused_status
from harness.consumers import connect_calls

FOREIGN = "http://evil.example"
MATCHING = "http://localhost"  # "localhost" is in ALLOWED_HOSTS (harness.settings.test)
HTTP_403 = r"^server rejected WebSocket connection: HTTP 403$"


@pytest.fixture
def production_stack(harness_db):
    from harness.stacks import production_stack

    return production_stack


@pytest.mark.asyncio
@pytest.mark.parametrize("origin", [None, FOREIGN], ids=["missing-origin", "foreign-origin"])
@pytest.mark.parametrize("route, consumer", [("/ws/echo/", "echo"), ("/ws/match/guard/", "match")])
async def test_communicator_is_refused_before_any_consumer_runs(
    production_stack, origin, route, consumer
):
    before = connect_calls[consumer]
    communicator = client.communicator(
        route, application=production_stack(), user="alice", origin=origin
    )
    assert await communicator.connect(timeout=5) == (False, 1000)
    await communicator.disconnect()
    assert connect_calls[consumer] == before


@pytest.mark.asyncio
async def test_communicator_with_matching_origin_connects_and_echoes(production_stack):
    communicator = client.communicator(
        "/ws/echo/", application=production_stack(), origin=MATCHING
    )
    assert await communicator.connect(timeout=5) == (True, None)
    await communicator.send_to(text_data="hello")
    assert await communicator.receive_from(timeout=5) == "hello"
    await communicator.disconnect()


@pytest.fixture(scope="module")
def server(harness_db):
    """One Daphne serving ``harness.asgi`` with the test settings, i.e. the production stack."""
    from harness.servers import daphne_server

    with daphne_server() as running:
        yield running


@pytest.mark.realserver
@pytest.mark.asyncio
@pytest.mark.parametrize("origin", [None, FOREIGN], ids=["missing-origin", "foreign-origin"])
async def test_real_server_answers_the_handshake_with_403(server, origin):
    with pytest.raises(HandshakeRefused, match=HTTP_403) as refused:
        await client.connect(server.url, "/ws/echo/", origin=origin, timeout=10)
    assert refused_status(refused.value) == 403


@pytest.mark.realserver
@pytest.mark.asyncio
async def test_real_server_with_matching_origin_connects_and_echoes(server):
    ws = await client.connect(server.url, "/ws/echo/", origin=server.origin, timeout=10)
    try:
        await ws.send("hello")
        assert await asyncio.wait_for(ws.recv(), 10) == "hello"
    finally:
        await ws.close()

"""The fixes users copy, run as copied: each block is taken from its write-up by
``kb.snippets.load`` and executed alone (no harness import inside it); the harness only
provides what a user's project would have (a consumer, a server).

heartbeat-timing's ``cancel-and-wait`` is tested by its guard (tests/guards/test_heartbeat_timing.py).
"""

import asyncio
import json

import pytest
import websockets
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

from harness.consumers.echo import EchoConsumer
from kb.snippets import load

WAIT = 5.0


@pytest.fixture
def wait_for_messages():
    return load("message-ordering", "wait-for-messages")


def echo_app():
    return URLRouter([path("ws/echo/", EchoConsumer.as_asgi())])


@pytest.mark.asyncio
async def test_recv_until_skips_to_the_message_it_waits_for_on_a_communicator(wait_for_messages, memory_layer):
    communicator = WebsocketCommunicator(echo_app(), "/ws/echo/")
    assert await communicator.connect(timeout=WAIT) == (True, None)
    try:
        for n in (1, 2, 3):
            await communicator.send_json_to({"n": n})
        found = await wait_for_messages.recv_until(communicator.receive_json_from, lambda m: m["n"] == 3, WAIT)
        assert found == {"n": 3}
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_recv_until_names_what_it_read_when_the_message_never_comes(wait_for_messages, memory_layer):
    communicator = WebsocketCommunicator(echo_app(), "/ws/echo/")
    assert await communicator.connect(timeout=WAIT) == (True, None)
    await communicator.send_json_to({"n": 1})
    with pytest.raises(AssertionError, match=r"^no matching message within 0\.3 s; read \[\{'n': 1\}\]$"):
        await wait_for_messages.recv_until(communicator.receive_json_from, lambda m: m["n"] == 9, 0.3)
    # the timed-out receive cancelled the application (heartbeat-timing): disconnect says so
    with pytest.raises(asyncio.CancelledError):
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_recv_until_reads_a_websockets_connection_to_a_real_server(wait_for_messages, daphne):
    server = daphne()
    async with websockets.connect(f"{server.url}/ws/echo/", origin=server.origin, proxy=None,
                                  open_timeout=WAIT) as ws:
        for n in (1, 2):
            await ws.send(json.dumps({"n": n}))

        async def receive(timeout):
            return json.loads(await asyncio.wait_for(ws.recv(), timeout))

        assert await wait_for_messages.recv_until(receive, lambda m: m["n"] == 2, WAIT) == {"n": 2}


@pytest.mark.asyncio
async def test_eventually_returns_as_soon_as_the_condition_holds_and_fails_with_the_last_value(wait_for_messages):
    state = {"moves": 0}

    async def move_later():
        await asyncio.sleep(0.05)  # the state changes elsewhere, later (not a synchronisation)
        state["moves"] = 1

    mover = asyncio.create_task(move_later())
    assert await wait_for_messages.eventually(lambda: state["moves"], WAIT) == 1
    await asyncio.wait_for(mover, WAIT)

    async def never():
        return 0

    with pytest.raises(AssertionError, match=r"^still false after 0\.1 s \(last value 0\)$"):
        await wait_for_messages.eventually(never, 0.1)


@pytest.fixture
def daphne_on_free_port():
    return load("real-server-environment", "daphne-on-free-port").daphne_on_free_port


def test_the_copied_daphne_fixture_serves_on_a_free_port_and_stops_its_server(daphne_on_free_port, harness_db):
    import os

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "harness.settings.test"}

    async def echo(url):
        async with websockets.connect(f"{url}/ws/echo/", origin="http://localhost", proxy=None,
                                      open_timeout=WAIT) as ws:
            await ws.send("ping")
            return await asyncio.wait_for(ws.recv(), WAIT)

    with daphne_on_free_port("harness.asgi:application", env=env) as first, \
            daphne_on_free_port("harness.asgi:application", env=env) as second:
        assert first != second and first.startswith("ws://127.0.0.1:")
        assert asyncio.run(echo(first)) == asyncio.run(echo(second)) == "ping"
    with pytest.raises(OSError):  # stopped: nothing listens on its port any more
        asyncio.run(echo(first))


def test_the_copied_daphne_fixture_says_why_when_daphne_cannot_start(daphne_on_free_port):
    with pytest.raises(RuntimeError, match=r"^daphne did not listen \(limit 20\.0 s\):\n(?s:.*)No module named 'no_such_project'"):
        with daphne_on_free_port("no_such_project.asgi:application"):
            pass


@pytest.mark.asyncio
async def test_the_copied_logging_validator_refuses_as_channels_does_and_says_why(caplog, memory_layer):
    from django.conf import settings

    copied = load("origin-validator", "logging-origin-validator")
    application = copied.AllowedHostsLoggingOriginValidator(echo_app())
    assert copied.LoggingOriginValidator.__mro__[1].__name__ == "OriginValidator"
    results = {}
    with caplog.at_level("WARNING", logger="websocket.origin"):
        for origin in (None, b"http://evil.example", b"http://localhost"):
            headers = [(b"origin", origin)] if origin else []
            communicator = WebsocketCommunicator(application, "/ws/echo/", headers=headers)
            results[origin] = await communicator.connect(timeout=WAIT)
            await communicator.disconnect()
    assert results == {None: (False, 1000), b"http://evil.example": (False, 1000),
                       b"http://localhost": (True, None)}
    allowed = list(settings.ALLOWED_HOSTS)
    assert [r.getMessage() for r in caplog.records if r.name == "websocket.origin"] == [
        f"WebSocket /ws/echo/ refused: Origin None is not in {allowed!r}",
        f"WebSocket /ws/echo/ refused: Origin b'http://evil.example' is not in {allowed!r}"]

"""A consumer class, not ``as_asgi()``, handed to the test communicators."""

import pytest
from channels.testing import ApplicationCommunicator, WebsocketCommunicator


@pytest.mark.asyncio
async def test_websocket_communicator_given_the_class(harness_db):
    from harness.consumers.echo import EchoConsumer

    communicator = WebsocketCommunicator(EchoConsumer, "/ws/echo/")
    connected, _ = await communicator.connect()
    assert connected


@pytest.mark.asyncio
async def test_application_communicator_given_the_class(harness_db):
    from harness.consumers.echo import EchoConsumer

    scope = {"type": "websocket", "path": "/ws/echo/", "headers": [], "query_string": b""}
    communicator = ApplicationCommunicator(EchoConsumer, scope)
    await communicator.send_input({"type": "websocket.connect"})
    assert await communicator.receive_output() == {"type": "websocket.accept"}

"""A consumer class, not ``as_asgi()``, handed to the test communicators.

Short test names: pytest's one-line summary (80 columns) then still shows the message.
"""

import pytest
from channels.testing import ApplicationCommunicator, WebsocketCommunicator


@pytest.mark.asyncio
async def test_ws(harness_db):
    """WebsocketCommunicator given EchoConsumer instead of EchoConsumer.as_asgi()."""
    from harness.consumers.echo import EchoConsumer

    communicator = WebsocketCommunicator(EchoConsumer, "/ws/echo/")
    connected, _ = await communicator.connect()
    assert connected


@pytest.mark.asyncio
async def test_app(harness_db):
    """ApplicationCommunicator given the class."""
    from harness.consumers.echo import EchoConsumer

    scope = {"type": "websocket", "path": "/ws/echo/", "headers": [], "query_string": b""}
    communicator = ApplicationCommunicator(EchoConsumer, scope)
    await communicator.send_input({"type": "websocket.connect"})
    assert await communicator.receive_output() == {"type": "websocket.accept"}

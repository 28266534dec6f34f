"""A consumer class, not ``as_asgi()``, routed by URLRouter / ProtocolTypeRouter.

Short test names: pytest's one-line summary (80 columns) then still shows the message.
"""

import pytest
from channels.testing import WebsocketCommunicator


@pytest.mark.asyncio
async def test_url(harness_db):
    """URLRouter routing to the class."""
    from channels.routing import URLRouter
    from django.urls import path

    from harness.consumers.echo import EchoConsumer

    application = URLRouter([path("ws/echo/", EchoConsumer)])
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    connected, _ = await communicator.connect()
    assert connected


@pytest.mark.asyncio
async def test_ptr(harness_db):
    """ProtocolTypeRouter mapping "websocket" to the class."""
    from channels.routing import ProtocolTypeRouter

    from harness.consumers.echo import EchoConsumer

    application = ProtocolTypeRouter({"websocket": EchoConsumer})
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    connected, _ = await communicator.connect()
    assert connected

"""A consumer class, not ``as_asgi()``, routed by URLRouter / ProtocolTypeRouter."""

import pytest
from channels.testing import WebsocketCommunicator


@pytest.mark.asyncio
async def test_urlrouter_route_to_the_class(harness_db):
    from channels.routing import URLRouter
    from django.urls import path

    from harness.consumers.echo import EchoConsumer

    application = URLRouter([path("ws/echo/", EchoConsumer)])
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    connected, _ = await communicator.connect()
    assert connected


@pytest.mark.asyncio
async def test_protocoltyperouter_maps_to_the_class(harness_db):
    from channels.routing import ProtocolTypeRouter

    from harness.consumers.echo import EchoConsumer

    application = ProtocolTypeRouter({"websocket": EchoConsumer})
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    connected, _ = await communicator.connect()
    assert connected

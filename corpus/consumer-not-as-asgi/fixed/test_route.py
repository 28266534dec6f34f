"""test_comm.py and test_route.py fixed: every route and communicator gets ``as_asgi()``."""

import pytest
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

from harness.consumers.echo import EchoConsumer


@pytest.mark.asyncio
async def test_ws(harness_db):
    communicator = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
    assert (await communicator.connect())[0]
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_url(harness_db):
    application = URLRouter([path("ws/echo/", EchoConsumer.as_asgi())])
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    assert (await communicator.connect())[0]
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_ptr(harness_db):
    application = ProtocolTypeRouter({"websocket": EchoConsumer.as_asgi()})
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    assert (await communicator.connect())[0]
    await communicator.disconnect()

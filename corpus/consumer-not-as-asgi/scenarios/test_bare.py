"""A consumer written straight on ``AsyncConsumer`` (no ``__init__``), handed over as the class.

Channel-layer workers and custom-protocol consumers look like this. ``AsyncConsumer`` and
``SyncConsumer`` define no ``__init__``, so calling the class with the scope (a communicator)
or with ``scope, receive, send`` (a router) fails in ``object``'s constructor.
Short test names: pytest's one-line summary (80 columns) then still shows the message.
"""

import pytest
from channels.consumer import AsyncConsumer
from channels.testing import WebsocketCommunicator


class WorkerConsumer(AsyncConsumer):
    async def websocket_connect(self, message):
        await self.send({"type": "websocket.accept"})


@pytest.mark.asyncio
async def test_ws(harness_db):
    """WebsocketCommunicator given WorkerConsumer instead of WorkerConsumer.as_asgi()."""
    communicator = WebsocketCommunicator(WorkerConsumer, "/ws/echo/")
    connected, _ = await communicator.connect()
    assert connected


@pytest.mark.asyncio
async def test_url(harness_db):
    """URLRouter routing to the class."""
    from channels.routing import URLRouter
    from django.urls import path

    application = URLRouter([path("ws/echo/", WorkerConsumer)])
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    connected, _ = await communicator.connect()
    assert connected

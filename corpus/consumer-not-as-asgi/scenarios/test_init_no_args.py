"""A class whose ``__init__`` takes no argument, handed to a communicator: asgiref's ASGI 2
adapter calls it with the scope (``instance = application(scope)``), on every asgiref 3.x and
every Channels version (``ApplicationCommunicator`` wraps the application itself).

Two classes print the same text, which is why the signature is weak: a consumer that defines
its own ``__init__(self)`` (this entry: ``Consumer.as_asgi()`` builds it with no argument), and
Django's ``ASGIHandler`` (not a consumer: the fix is ``get_asgi_application()``).
"""

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import HttpCommunicator, WebsocketCommunicator


class OwnInitConsumer(AsyncWebsocketConsumer):
    def __init__(self):
        super().__init__()
        self.seen = []


@pytest.mark.asyncio
async def test_own_init(harness_db):
    """A consumer with its own no-argument __init__, given as the class."""
    communicator = WebsocketCommunicator(OwnInitConsumer, "/ws/echo/")
    connected, _ = await communicator.connect(timeout=0.5)
    assert connected


@pytest.mark.asyncio
async def test_handler(harness_db):
    """Django's ASGIHandler class, given where get_asgi_application() belongs."""
    from django.core.handlers.asgi import ASGIHandler

    communicator = HttpCommunicator(ASGIHandler, "GET", "/")
    response = await communicator.get_response(timeout=0.5)
    assert response["status"] == 200

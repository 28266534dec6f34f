"""Channels' AuthMiddlewareStack and a communicator that carries no session cookie: the test
expects its user in the consumer, which sees AnonymousUser (no cookie, no session, no user)."""

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path


class WhoAmI(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.send(text_data=str(self.scope["user"]))


@pytest.fixture
def application(harness_db):
    from channels.auth import AuthMiddlewareStack

    return AuthMiddlewareStack(URLRouter([path("ws/who/", WhoAmI.as_asgi())]))


@pytest.mark.asyncio
async def test_alice(application):
    comm = WebsocketCommunicator(application, "/ws/who/")
    connected, _ = await comm.connect()
    assert connected
    assert await comm.receive_from() == "alice"

"""test_cookie.py fixed: the user is logged in and the communicator sends the session cookie."""

import pytest
from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import path


class WhoAmI(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.send(text_data=str(self.scope["user"]))


@pytest.mark.asyncio
async def test_alice(harness_db):
    from django.contrib.auth import get_user_model

    client = Client()
    await sync_to_async(client.force_login)(await get_user_model().objects.aget(username="alice"))
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    application = AuthMiddlewareStack(URLRouter([path("ws/who/", WhoAmI.as_asgi())]))
    comm = WebsocketCommunicator(application, "/ws/who/", headers=[(b"cookie", cookie)])
    assert (await comm.connect())[0]
    assert await comm.receive_from() == "alice"

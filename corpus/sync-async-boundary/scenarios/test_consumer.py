"""A consumer's async handler calls a synchronous helper that uses async_to_sync; the
communicator re-raises the consumer's error."""

import pytest
from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path


def announce(layer, text: str) -> None:
    async_to_sync(layer.group_send)("lobby", {"type": "chat.message", "text": text})


class LobbyConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        announce(self.channel_layer, text_data)


@pytest.mark.asyncio
async def test_a(memory_layer):
    comm = WebsocketCommunicator(URLRouter([path("ws/lobby/", LobbyConsumer.as_asgi())]), "/ws/lobby/")
    assert await comm.connect(timeout=5) == (True, None)
    await comm.send_to(text_data="hello")
    await comm.receive_nothing(timeout=0.5)
    await comm.disconnect(timeout=5)

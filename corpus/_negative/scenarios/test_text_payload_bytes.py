# kb-corpus: channels < 4.1
"""Not a close read by receive_from: the consumer sends a text frame whose payload is bytes, and
receive_from's type check fails (channels 4.0.0 `channels/testing/websocket.py:81`,
`assert isinstance(response["text"], str), "Text frame payload is not str"`). On channels 4.0 that
is the same line number as 4.1.0's close-reading assert, so close-codes'
communicator-read-a-close-before-4-2 must not claim it (review 3 of misc, close-codes point 1)."""

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path


class BytesAsTextConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.send(text_data=b"hello")  # bytes where str belongs


@pytest.mark.asyncio
async def test_greeting(harness_db):
    comm = WebsocketCommunicator(URLRouter([path("ws/greet/", BytesAsTextConsumer.as_asgi())]), "/ws/greet/")
    assert (await comm.connect(timeout=5))[0]
    assert await comm.receive_from(timeout=5) == "hello"
    await comm.disconnect(timeout=5)

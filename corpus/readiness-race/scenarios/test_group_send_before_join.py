"""A consumer that accepts first and joins its group after: the test's group_send, right after
connect() returned, finds no member and the message vanishes; the test waits for it in vain.
The layer holds group_add until the message was sent, the order a Redis layer leaves to chance."""

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import channel_layers, get_channel_layer
from channels.routing import URLRouter
from django.urls import path

from harness.client import communicator
from harness.holds import HeldLayer


class NewsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.channel_layer.group_add("news", self.channel_name)

    async def news_item(self, event):
        await self.send_json(event["item"])


@pytest.fixture
def application(harness_db):
    from harness.stacks import production_stack

    return production_stack(URLRouter([path("ws/news/", NewsConsumer.as_asgi())]))


@pytest.fixture
def held_layer():
    layer = get_channel_layer()
    held = HeldLayer(layer, "group_add")
    channel_layers.set("default", held)
    yield held
    held.release()
    channel_layers.set("default", layer)


@pytest.mark.asyncio
async def test_news_reaches_a_new_client(application, held_layer):
    comm = communicator("/ws/news/", application=application)
    assert (await comm.connect())[0]
    await held_layer.group_send("news", {"type": "news.item", "item": {"title": "hello"}})
    held_layer.release()
    assert await comm.receive_json_from() == {"title": "hello"}

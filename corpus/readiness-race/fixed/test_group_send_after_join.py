"""test_group_send_before_join.py fixed: the consumer joins its group before it accepts, so
connect() returning means it is a member; the layer still holds group_add, and connect() waits
for it."""

import asyncio

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import channel_layers, get_channel_layer
from channels.routing import URLRouter
from django.urls import path

from harness.client import communicator
from harness.holds import HeldLayer


class NewsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add("news", self.channel_name)
        await self.accept()

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
    connecting = asyncio.ensure_future(comm.connect())
    await asyncio.wait_for(held_layer.entered.wait(), 5)  # the consumer is in group_add
    assert not connecting.done()  # and has not accepted yet
    held_layer.release()
    assert (await asyncio.wait_for(connecting, 5))[0]
    await held_layer.group_send("news", {"type": "news.item", "item": {"title": "hello"}})
    assert await comm.receive_json_from() == {"title": "hello"}
    await comm.disconnect()

"""No ``CHANNEL_LAYERS`` in the test settings, and a consumer that joins and leaves its group by
hand (``self.channel_layer.group_add`` in ``connect()``, ``group_discard`` in ``disconnect()``)
instead of through ``groups``: channels' ``InvalidChannelLayerError`` wrapper is not on that
path, so the test sees ``'NoneType' object has no attribute 'group_add'`` (or
``'group_discard'``)."""

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings


@pytest.fixture
def settings_without_channel_layers(harness_db):
    saved = settings.CHANNEL_LAYERS
    del settings.CHANNEL_LAYERS
    channel_layers.backends.clear()
    yield
    settings.CHANNEL_LAYERS = saved
    channel_layers.backends.clear()


class RoomConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add("room", self.channel_name)
        await self.accept()


class QuietConsumer(AsyncJsonWebsocketConsumer):
    async def disconnect(self, code):
        await self.channel_layer.group_discard("room", self.channel_name)


@pytest.mark.asyncio
async def test_join_by_hand(settings_without_channel_layers):
    room = WebsocketCommunicator(RoomConsumer.as_asgi(), "/ws/room/")
    connected, _ = await room.connect(timeout=5)
    assert connected


@pytest.mark.asyncio
async def test_leave_by_hand(settings_without_channel_layers):
    room = WebsocketCommunicator(QuietConsumer.as_asgi(), "/ws/room/")
    assert (await room.connect(timeout=5))[0]
    await room.disconnect(timeout=5)

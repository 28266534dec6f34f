"""Test settings without ``CHANNEL_LAYERS`` (a project that never configured one, or test
settings that do not import it): ``get_channel_layer()`` returns ``None``, so ``self.channel_layer``
is ``None`` in every consumer. A test that broadcasts fails with ``'NoneType' object has no
attribute 'group_send'``; a consumer with ``groups`` fails to connect with channels'
``InvalidChannelLayerError``; a consumer that reads ``self.channel_name`` fails on it."""

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from harness.client import communicator


@pytest.fixture
def settings_without_channel_layers(harness_db):
    saved = settings.CHANNEL_LAYERS
    del settings.CHANNEL_LAYERS
    channel_layers.backends.clear()
    yield
    settings.CHANNEL_LAYERS = saved
    channel_layers.backends.clear()


class LobbyConsumer(AsyncJsonWebsocketConsumer):
    groups = ["lobby"]


@pytest.mark.asyncio
async def test_broadcast(settings_without_channel_layers):
    layer = get_channel_layer()
    await layer.group_send("lobby", {"type": "lobby.news", "text": "hello"})


@pytest.mark.asyncio
async def test_lobby_connects(settings_without_channel_layers):
    lobby = WebsocketCommunicator(LobbyConsumer.as_asgi(), "/ws/lobby/")
    connected, _ = await lobby.connect(timeout=5)
    assert connected


@pytest.mark.asyncio
async def test_join(settings_without_channel_layers):
    alice = communicator("/ws/match/no-layer/", user="alice")
    assert (await alice.connect(timeout=5))[0]
    await alice.send_json_to({"type": "join", "role": "player"})
    assert (await alice.receive_json_from(timeout=5))["type"] == "joined"

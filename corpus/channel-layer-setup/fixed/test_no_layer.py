"""test_no_layer.py fixed: the test settings own ``CHANNEL_LAYERS`` (the harness's test settings:
in-memory, or a Redis the test run starts), and the layer is checked once at set-up, so a
missing one fails in one line instead of inside a consumer."""

import asyncio

import pytest
import pytest_asyncio
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from harness.client import communicator


@pytest_asyncio.fixture
async def channel_layer_ready(harness_db):
    layer = get_channel_layer()
    if layer is None:
        pytest.fail("the test settings define no CHANNEL_LAYERS 'default' layer", pytrace=False)
    channel = await layer.new_channel()
    await asyncio.wait_for(layer.send(channel, {"type": "layer.check"}), 2)
    assert await asyncio.wait_for(layer.receive(channel), 2) == {"type": "layer.check"}


class LobbyConsumer(AsyncJsonWebsocketConsumer):
    groups = ["lobby"]


@pytest.mark.asyncio
async def test_broadcast(channel_layer_ready):
    await get_channel_layer().group_send("lobby", {"type": "lobby.news", "text": "hello"})


@pytest.mark.asyncio
async def test_lobby_connects(channel_layer_ready):
    lobby = WebsocketCommunicator(LobbyConsumer.as_asgi(), "/ws/lobby/")
    connected, _ = await lobby.connect(timeout=5)
    assert connected
    await lobby.disconnect(timeout=5)


@pytest.mark.asyncio
async def test_join(channel_layer_ready):
    alice = communicator("/ws/match/no-layer/", user="alice")
    assert (await alice.connect(timeout=5))[0]
    await alice.send_json_to({"type": "join", "role": "player"})
    assert (await alice.receive_json_from(timeout=5))["type"] == "joined"
    await alice.disconnect(timeout=5)

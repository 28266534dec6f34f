"""Two players of a match room disconnect at once; the consumer's disconnect checks "room
empty?", awaits the channel layer, then deletes the room: the second delete raises KeyError.
(The overlap of the two awaits is forced with harness.fixtures.OverlappingLayer so that every
capture fails; on a real Redis layer it happens in a share of runs.)"""

import asyncio

import pytest
from channels.layers import channel_layers, get_channel_layer
from channels.routing import URLRouter
from django.urls import re_path

from harness.client import join_players
from harness.fixtures import OverlappingLayer

ACTIVE_ROOMS = {}


def racy_consumer():
    from harness.consumers.match import MatchConsumer

    class GameConsumer(MatchConsumer):
        async def connect(self):
            await super().connect()
            ACTIVE_ROOMS.setdefault(self.room_code, set()).add(self.channel_name)

        async def disconnect(self, code):
            room = ACTIVE_ROOMS.get(self.room_code, set())
            room.discard(self.channel_name)
            await self.channel_layer.group_discard(self.group, self.channel_name)
            if not room:
                del ACTIVE_ROOMS[self.room_code]

    return GameConsumer


@pytest.fixture
def application(redis_layer):
    from harness.stacks import production_stack

    route = re_path(r"^ws/match/(?P<room>[A-Za-z0-9_-]{1,40})/$", racy_consumer().as_asgi())
    layer = get_channel_layer()
    channel_layers.set("default", OverlappingLayer(layer, "group_discard", parties=2, timeout=5))
    yield production_stack(URLRouter([route]))
    channel_layers.set("default", layer)


@pytest.mark.asyncio
async def test_both_leave(application):
    players = await join_players("corpus-race", application=application)
    await asyncio.gather(*(player.disconnect() for player in players))

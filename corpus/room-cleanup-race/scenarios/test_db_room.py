"""The room lives in the database (a Group named after the room stands for the room row, its
users for the players). Two players disconnect at once; each consumer's disconnect removes its
player, checks "anyone left?", then re-reads the room with aget() to delete it, every step an
await of the async ORM. The deletes are serialised by a lock, the decision is not: the second
handler's aget() raises Group.DoesNotExist. (Both handlers are held until both players are out,
so that every capture fails; without that it happens in a share of runs.)"""

import asyncio

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path

from harness.compat import Barrier

BOTH_OUT = Barrier(2)
DELETE_LOCK = asyncio.Lock()


class RoomConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        self.code = self.scope["url_route"]["kwargs"]["room"]
        self.username = self.scope["url_route"]["kwargs"]["user"]
        room, _ = await Group.objects.aget_or_create(name=self.code)
        await room.user_set.aadd(await get_user_model().objects.aget(username=self.username))
        await self.accept()

    async def disconnect(self, code):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        room = await Group.objects.aget(name=self.code)
        await room.user_set.aremove(await get_user_model().objects.aget(username=self.username))
        await BOTH_OUT.wait()
        if not await room.user_set.aexists():
            async with DELETE_LOCK:
                room = await Group.objects.aget(name=self.code)
                await room.adelete()


@pytest.mark.asyncio
async def test_both_leave(harness_db):
    app = URLRouter([path("ws/room/<str:room>/<str:user>/", RoomConsumer.as_asgi())])
    players = [WebsocketCommunicator(app, f"/ws/room/db-race/{user}/") for user in ("alice", "bob")]
    for player in players:
        assert await player.connect(timeout=5) == (True, None)
    await asyncio.gather(*(player.disconnect(timeout=5) for player in players))

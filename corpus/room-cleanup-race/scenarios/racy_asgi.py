"""The incident's consumer, served by a real Daphne (``harness.servers.daphne_server(app=
"racy_asgi:application")``, this folder on ``PYTHONPATH``): its ``disconnect`` checks that the
room is empty, awaits ``group_discard``, then deletes the room from a module-level dict. The two
``group_discard`` awaits are forced to overlap (``OverlappingLayer``), so two players closing at
once always make one handler raise ``KeyError``, which Daphne logs as "Exception inside
application". Used by ``script_daphne_log.py`` and by the entry's notebook."""

import django

django.setup()

from channels.layers import channel_layers, get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

from harness.consumers.match import MatchConsumer  # noqa: E402
from harness.fixtures import OverlappingLayer  # noqa: E402
from harness.stacks import production_stack  # noqa: E402

ACTIVE_ROOMS = {}


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


channel_layers.set("default", OverlappingLayer(get_channel_layer(), "group_discard", parties=2, timeout=5))
route = re_path(r"^ws/match/(?P<room>[A-Za-z0-9_-]{1,40})/$", GameConsumer.as_asgi())
application = ProtocolTypeRouter({"websocket": production_stack(URLRouter([route]))})

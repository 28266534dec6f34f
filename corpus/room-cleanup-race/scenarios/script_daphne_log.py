"""The same race over a real Daphne: two players of a racy match room close their sockets at
once, and Daphne logs the handler's KeyError ("Exception inside application"). The consumer
module is written to a temporary folder and served by harness.servers.daphne_server; the
overlap of the two group_discard awaits is forced (OverlappingLayer) so that every run fails.
Prints Daphne's log (stderr) and exits 1."""

import asyncio
import os
import sys
import tempfile
import textwrap
from pathlib import Path

from harness.bootstrap import bootstrap

bootstrap("harness.settings.test")

from harness import client  # noqa: E402
from harness.servers import REPO, daphne_server  # noqa: E402

RACY_ASGI = textwrap.dedent('''
    import django

    django.setup()

    from channels.layers import channel_layers, get_channel_layer
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.urls import re_path

    from harness.consumers.match import MatchConsumer
    from harness.fixtures import OverlappingLayer
    from harness.stacks import production_stack

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
''')


async def both_leave(server) -> None:
    sockets = []
    for user in ("alice", "bob"):
        ws = await client.connect(server.url, "/ws/match/daphne-race/", user=user, origin=server.origin)
        await client.send_json(ws, {"type": "join", "role": "player"})
        await client.recv_until(ws, lambda m: m["type"] == "joined")
        sockets.append(ws)
    await asyncio.gather(*(ws.close() for ws in sockets))
    await client.eventually(lambda: "KeyError" in server.log(), timeout=10)


with tempfile.TemporaryDirectory() as folder:
    Path(folder, "racy_asgi.py").write_text(RACY_ASGI)
    pythonpath = os.pathsep.join([folder, str(REPO)])
    with daphne_server(app="racy_asgi:application", env={"PYTHONPATH": pythonpath}) as server:
        asyncio.run(both_leave(server))
        log = server.log()
print(log)
sys.exit(1)

"""The same race over a real Daphne: two players of a racy match room close their sockets at
once, and Daphne logs the handler's KeyError ("Exception inside application"). The consumer
module, racy_asgi.py beside this file, is served by harness.servers.daphne_server; the
overlap of the two group_discard awaits is forced (OverlappingLayer) so that every run fails.
Prints Daphne's log (stderr) and exits 1."""

import asyncio
import os
import sys
from pathlib import Path

from harness.bootstrap import bootstrap

bootstrap("harness.settings.test")

from harness import client  # noqa: E402
from harness.servers import REPO, daphne_server  # noqa: E402


async def both_leave(server) -> None:
    sockets = []
    for user in ("alice", "bob"):
        ws = await client.connect(server.url, "/ws/match/daphne-race/", user=user, origin=server.origin)
        await client.send_json(ws, {"type": "join", "role": "player"})
        await client.recv_until(ws, lambda m: m["type"] == "joined")
        sockets.append(ws)
    await asyncio.gather(*(ws.close() for ws in sockets))
    await client.eventually(lambda: "KeyError" in server.log(), timeout=10)


pythonpath = os.pathsep.join([str(Path(__file__).resolve().parent), str(REPO)])
with daphne_server(app="racy_asgi:application", env={"PYTHONPATH": pythonpath}) as server:
    asyncio.run(both_leave(server))
    log = server.log()
print(log)
sys.exit(1)

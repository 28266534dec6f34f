"""Without pytest: a consumer left connected on one event loop (a worker thread's, standing
still), another connected from a second loop. The second one's first receive() raises; the
uncaught error prints Python's native traceback and the script exits 1."""

import asyncio
import os

from harness.bootstrap import bootstrap

bootstrap("harness.settings.test")

from harness.client import communicator  # noqa: E402 - needs Django set up
from harness.fixtures import OtherLoop  # noqa: E402
from harness.layers import use_channel_layer  # noqa: E402

ROOM = "/ws/match/corpus-script/"


async def join(user: str):
    comm = communicator(ROOM, user=user)
    assert (await comm.connect(timeout=5))[0]
    await comm.send_json_to({"type": "join", "role": "player"})
    return comm


async def second_player():
    bob = await join("bob")
    return await bob.receive_json_from(timeout=1)


use_channel_layer("redis", os.environ["REDIS_URL"])
first_loop = OtherLoop(timeout=20)
alice = first_loop.run(join("alice"))  # stays connected on the first loop
try:
    asyncio.run(second_player())
finally:
    first_loop.close()

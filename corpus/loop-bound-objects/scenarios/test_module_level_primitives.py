"""Consumers that coordinate through module-level asyncio objects, made at import."""

import asyncio

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from harness.client import communicator

SAVE_LOCK = asyncio.Lock()  # one save at a time, for the whole process
SLOTS = asyncio.Semaphore(1)  # one expensive job at a time
ROOM_OPEN = asyncio.Event()  # set when the host opens the room
JOBS = asyncio.Queue()  # work handed to consumers


class WaitingConsumer(AsyncJsonWebsocketConsumer):
    """Says "waiting", then waits on the module-level object named by the frame."""

    async def receive_json(self, content):
        await self.send_json({"waiting": content["on"]})
        if content["on"] == "lock":
            async with SAVE_LOCK:
                pass
        elif content["on"] == "semaphore":
            async with SLOTS:
                pass
        elif content["on"] == "event":
            await ROOM_OPEN.wait()
        else:
            await JOBS.get()
        await self.send_json({"done": content["on"]})


async def wait_on(kind: str) -> dict:
    """One client makes its consumer wait on ``kind`` while this coroutine holds it, then lets go."""
    comm = communicator("/ws/echo/", application=WaitingConsumer.as_asgi())
    assert (await comm.connect())[0]
    held = {"lock": SAVE_LOCK, "semaphore": SLOTS}.get(kind)
    if held:
        await held.acquire()  # uncontended: binds nothing
    ROOM_OPEN.clear()
    await comm.send_json_to({"on": kind})
    assert await comm.receive_json_from() == {"waiting": kind}  # the consumer now waits
    if held:
        held.release()
    elif kind == "event":
        ROOM_OPEN.set()
    else:
        JOBS.put_nowait("job")
    reply = await comm.receive_json_from()
    await comm.disconnect()
    return reply


@pytest.fixture(scope="module", autouse=True)
def warm_up(harness_db):
    """The app's start-up work, once per module, in an event loop of its own."""
    for kind in ("lock", "semaphore", "event", "queue"):
        asyncio.run(wait_on(kind))


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["lock", "semaphore", "event", "queue"])
async def test_consumer_waits_its_turn(kind):
    assert await wait_on(kind) == {"done": kind}

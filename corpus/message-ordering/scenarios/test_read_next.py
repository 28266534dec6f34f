"""The incident's two real-server tests, reduced to what they did: read "the next message".
Both fail on every run: the message read is one sent before the one the test means. The
server's channel layer is $HARNESS_CHANNEL_LAYER ("memory" unless set; "redis" uses $REDIS_URL)."""

import os

import pytest

from harness import client


@pytest.fixture
def server(daphne):
    return daphne(channel_layer=os.environ.get("HARNESS_CHANNEL_LAYER", "memory"),
                  redis_url=os.environ.get("REDIS_URL"))


async def player(server, room, user):
    ws = await client.connect(server.url, f"/ws/match/{room}/", user=user, origin=server.origin)
    await client.send_json(ws, {"type": "join", "role": "player"})
    assert (await client.recv_json(ws))["type"] == "joined"
    return ws


@pytest.mark.asyncio
async def test_join(server):
    room = client.room_code("naive-join")
    async with await player(server, room, "alice") as alice, await player(server, room, "bob"):
        status = await client.recv_json(alice)  # "the status Bob's join caused"
        assert status["status"] == "waiting_for_ready"


@pytest.mark.asyncio
async def test_move(server):
    room = client.room_code("naive-move")
    async with await player(server, room, "alice") as alice, await player(server, room, "bob") as bob:
        for ws in (alice, bob):
            await client.send_json(ws, {"type": "ready"})
        await client.recv_until(alice, lambda m: m.get("status") == "playing")
        before = 50.0  # where every paddle starts
        await client.send_json(alice, {"type": "move", "direction": "up"})
        after = (await client.recv_json(alice))["positions"]["1"]  # "the state after my move"
        assert after != before

"""Guard for room-cleanup-race: two players leaving at once never crash the match room.

The harness's ``MatchConsumer`` removes a player and drops an empty room in one step with no
``await`` in between (``RoomRegistry.leave``). These tests disconnect two players at the same
moment, with their ``group_discard`` awaits forced to overlap (``OverlappingLayer``), on both
layers, and once more over a real server.
"""

import asyncio

import pytest
from channels.layers import channel_layers, get_channel_layer

from harness import client
from harness.fixtures import OverlappingLayer
from harness.rooms import ROOMS, RoomRegistry

TIMEOUT = 10.0


async def joined_players(room: str, users=("alice", "bob")):
    comms = []
    for user in users:
        comm = client.communicator(f"/ws/match/{room}/", user=user)
        assert (await comm.connect(timeout=TIMEOUT))[0]
        await comm.send_json_to({"type": "join", "role": "player"})
        assert (await comm.receive_json_from(timeout=TIMEOUT))["type"] == "joined"
        comms.append(comm)
    return comms


@pytest.fixture(params=["memory_layer", "redis_layer"])
def overlapping_discards(request):
    """The test's layer (in-memory, then Redis), with ``group_discard`` calls held to overlap."""
    request.getfixturevalue(request.param)
    layer = get_channel_layer()
    channel_layers.set("default", OverlappingLayer(layer, "group_discard", 2, TIMEOUT))
    yield
    channel_layers.set("default", layer)


@pytest.mark.asyncio
async def test_when_both_players_disconnect_at_once_then_the_room_is_dropped_once(
    overlapping_discards,
):
    room = client.room_code("both-leave")
    alice, bob = await joined_players(room)
    assert room in ROOMS
    await asyncio.gather(alice.disconnect(timeout=TIMEOUT), bob.disconnect(timeout=TIMEOUT))
    assert room not in ROOMS


def test_when_leave_runs_after_the_room_is_gone_then_it_returns_none():
    rooms = RoomRegistry()
    rooms.join("r", "alice-channel", "player")
    assert rooms.leave("r", "alice-channel") is None and "r" not in rooms
    assert rooms.leave("r", "bob-channel") is None  # the second leaver: no KeyError


@pytest.mark.realserver
@pytest.mark.asyncio
async def test_when_two_real_clients_close_at_once_then_the_room_starts_afresh(live_server):
    room = client.room_code("real-close")
    path = f"/ws/match/{room}/"
    players = []
    for user in ("alice", "bob"):
        ws = await client.connect(live_server.url, path, user=user, origin=live_server.origin)
        await client.send_json(ws, {"type": "join", "role": "player"})
        await client.recv_until(ws, lambda m: m["type"] == "joined", TIMEOUT)
        players.append(ws)
    await asyncio.gather(*(ws.close() for ws in players))

    async def joins_as_first_player():
        async with await client.connect(
            live_server.url, path, user="carol", origin=live_server.origin
        ) as ws:
            await client.send_json(ws, {"type": "join", "role": "player"})
            answer = await client.recv_until(ws, lambda m: m["type"] in ("joined", "error"), TIMEOUT)
            # player 1 of a new room once the server has handled both closes (until then the
            # old room may still hold one or both: player 2, or a room_full error)
            return answer.get("player_num") == 1

    assert await client.eventually(joins_as_first_player, TIMEOUT, interval=0.05)
    assert live_server.alive()
    assert "Traceback" not in live_server.log()  # no handler crashed, KeyError or otherwise

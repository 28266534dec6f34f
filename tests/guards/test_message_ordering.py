"""Guard for message-ordering: tests wait for the message or state they need, never for a time.

``recv_until`` skips the messages that come first (the joiner's own ``waiting_for_opponent``,
the start snapshot); ``eventually`` polls server state until it holds; and when the expected
message never comes, ``recv_until`` says what it read instead.
"""

import pytest

from harness import client
from harness.rooms import ROOMS
from harness.servers import daphne_server

TIMEOUT = 10.0

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def server(harness_db, redis_url):
    """One Daphne on the Redis layer for the module (a process: usable from any test loop)."""
    with daphne_server(channel_layer="redis", redis_url=redis_url) as server:
        yield server


def status_is(status: str):
    return lambda message: message.get("type") == "status" and message.get("status") == status


async def player(server, room: str, user: str):
    ws = await client.connect(server.url, f"/ws/match/{room}/", user=user, origin=server.origin)
    await client.send_json(ws, {"type": "join", "role": "player"})
    await client.recv_until(ws, lambda m: m["type"] == "joined", TIMEOUT)
    return ws


@pytest.mark.realserver
async def test_when_the_second_player_joins_then_both_reach_waiting_for_ready(server):
    room = client.room_code("ordering-join")
    alice = await player(server, room, "alice")
    bob = await player(server, room, "bob")
    for ws in (alice, bob):  # alice reads past her own waiting_for_opponent first
        assert (await client.recv_until(ws, status_is("waiting_for_ready"), TIMEOUT))["status"]
        await ws.close()


@pytest.mark.realserver
async def test_when_a_move_follows_the_start_then_the_moved_state_is_found(server):
    room = client.room_code("ordering-move")
    alice = await player(server, room, "alice")
    bob = await player(server, room, "bob")
    for ws in (alice, bob):
        await client.send_json(ws, {"type": "ready"})
    await client.recv_until(alice, status_is("playing"), TIMEOUT)
    await client.send_json(alice, {"type": "move", "direction": "up"})
    moved = await client.recv_until(
        alice, lambda m: m["type"] == "state" and m["positions"]["1"] != 50.0, TIMEOUT
    )
    assert moved["positions"] == {"1": 45.0, "2": 50.0}
    for ws in (alice, bob):
        await ws.close()


@pytest.mark.realserver
async def test_when_the_message_never_comes_then_recv_until_names_what_it_read(server):
    room = client.room_code("ordering-never")
    alice = await player(server, room, "alice")
    with pytest.raises(TimeoutError, match="waiting_for_opponent"):
        await client.recv_until(alice, status_is("playing"), timeout=0.5)
    await alice.close()


async def test_when_server_state_changes_later_then_eventually_waits_for_it(memory_layer):
    room = client.room_code("ordering-state")
    comms = []
    for user in ("alice", "bob"):
        comm = client.communicator(f"/ws/match/{room}/", user=user)
        assert (await comm.connect(timeout=TIMEOUT))[0]
        await comm.send_json_to({"type": "join", "role": "player"})
        comms.append(comm)
    for comm in comms:
        await comm.send_json_to({"type": "ready"})
    await client.eventually(lambda: ROOMS.get(room) and ROOMS.get(room).started, TIMEOUT)
    await comms[0].send_json_to({"type": "move", "direction": "up"})
    assert ROOMS.get(room).positions[1] == 50.0  # sent, not yet handled: reading now is too early
    await client.eventually(lambda: ROOMS.get(room).positions[1] == 45.0, TIMEOUT)
    for comm in comms:
        await comm.disconnect(timeout=TIMEOUT)

"""The incident's eight real-server scenarios, on the harness match room.

Two Daphne processes share one Redis channel layer (the ``live_servers`` fixture, started once
per module, in parallel); each test opens real ``websockets`` clients with the Origin and token
a browser would send, and waits for messages with ``recv_until``, never with a sleep. Every
test uses its own room code, so the tests are independent of order and of each other.

``bench/realserver.py`` calls these same functions outside pytest to time them (``make bench``):
the incident's Docker Compose run took 42.6 s for its eight tests.
"""

import pytest

from harness import client

pytestmark = [pytest.mark.realserver, pytest.mark.asyncio]

TIMEOUT = 10.0  # generous: the machine may be loaded; a passing test returns far sooner


def status_is(status: str):
    return lambda message: message.get("type") == "status" and message.get("status") == status


def of_type(kind: str):
    return lambda message: message.get("type") == kind


def position_is(player: int, y: float):
    return lambda message: message.get("type") == "state" and message["positions"][str(player)] == y


@pytest.fixture
def room(request) -> str:
    return client.room_code(request.node.name.removeprefix("test_"))


async def open_ws(server, user: str, room: str):
    return await client.connect(
        server.url, f"/ws/match/{room}/", user=user, origin=server.origin, timeout=TIMEOUT
    )


async def join(ws, role: str = "player") -> dict:
    """Send ``join`` and return the ``joined`` answer."""
    await client.send_json(ws, {"type": "join", "role": role})
    return await client.recv_until(ws, of_type("joined"), TIMEOUT)


async def start_match(a, b) -> None:
    """Two joined players say ``ready``; return once both see the match playing."""
    for ws in (a, b):
        await client.send_json(ws, {"type": "ready"})
    for ws in (a, b):
        await client.recv_until(ws, status_is("playing"), TIMEOUT)


async def test_single_connection_creates_the_room(live_servers, room):
    server = live_servers[0]
    async with await open_ws(server, "alice", room) as ws:
        joined = await join(ws)
        assert joined == {"type": "joined", "role": "player", "room": room, "player_num": 1}
        status = await client.recv_json(ws, TIMEOUT)
        assert status == {"type": "status", "status": "waiting_for_opponent"}


async def test_two_players_both_get_status_updates(live_servers, room):
    server = live_servers[0]
    async with await open_ws(server, "alice", room) as a, await open_ws(server, "bob", room) as b:
        await join(a)
        await client.recv_until(a, status_is("waiting_for_opponent"), TIMEOUT)
        assert (await join(b))["player_num"] == 2
        for ws in (a, b):
            await client.recv_until(ws, status_is("waiting_for_ready"), TIMEOUT)


async def test_match_starts_when_both_are_ready(live_servers, room):
    server = live_servers[0]
    async with await open_ws(server, "alice", room) as a, await open_ws(server, "bob", room) as b:
        await join(a)
        await join(b)
        await start_match(a, b)
        for ws in (a, b):
            state = await client.recv_until(ws, of_type("state"), TIMEOUT)
            assert state["positions"] == {"1": 50.0, "2": 50.0}


async def test_observer_joins_and_receives_updates(live_servers, room):
    server = live_servers[0]
    async with (
        await open_ws(server, "alice", room) as a,
        await open_ws(server, "bob", room) as b,
        await open_ws(server, "carol", room) as watcher,
    ):
        await join(a)
        await join(b)
        assert (await join(watcher, "observer")) == {
            "type": "joined", "role": "observer", "room": room,
        }
        await client.recv_until(watcher, status_is("waiting_for_ready"), TIMEOUT)
        await start_match(a, b)
        await client.recv_until(watcher, status_is("playing"), TIMEOUT)
        await client.recv_until(watcher, of_type("state"), TIMEOUT)
        await client.send_json(watcher, {"type": "ready"})  # an observer cannot play
        error = await client.recv_until(watcher, of_type("error"), TIMEOUT)
        assert error["code"] == "not_joined"


async def test_invalid_json_gets_an_error_and_the_connection_stays_usable(live_servers, room):
    server = live_servers[0]
    async with await open_ws(server, "alice", room) as ws:
        await ws.send("{not json")
        error = await client.recv_json(ws, TIMEOUT)
        assert error == {
            "type": "error", "code": "invalid_json", "detail": "the text frame is not valid JSON",
        }
        assert (await join(ws))["role"] == "player"  # same connection, still served


async def test_concurrent_rooms_stay_isolated(live_servers, room):
    server = live_servers[0]
    other = client.room_code("isolated-other")
    async with (
        await open_ws(server, "alice", room) as a,
        await open_ws(server, "bob", room) as b,
        await open_ws(server, "carol", other) as c,
    ):
        await join(a)
        await join(c)
        await join(b)
        await client.recv_until(a, status_is("waiting_for_ready"), TIMEOUT)
        await client.send_json(a, {"type": "say", "text": "only for this room"})
        await client.recv_until(b, of_type("said"), TIMEOUT)
        # A marker sent afterwards in the other room: everything carol reads up to it must be
        # her own room's, and her room still waits for an opponent.
        await client.send_json(c, {"type": "say", "text": "marker"})
        seen = []

        def up_to_the_marker(message):
            seen.append(message)
            return message.get("text") == "marker"

        marker = await client.recv_until(c, up_to_the_marker, TIMEOUT)
        assert marker["user"] == "carol"
        assert {"type": "said", "user": "alice", "text": "only for this room"} not in seen
        assert [m["status"] for m in seen if m["type"] == "status"] == ["waiting_for_opponent"]


async def test_a_players_move_reaches_both_players(live_servers, room):
    server = live_servers[0]
    async with await open_ws(server, "alice", room) as a, await open_ws(server, "bob", room) as b:
        await join(a)
        await join(b)
        await start_match(a, b)
        await client.send_json(a, {"type": "move", "direction": "up"})
        for ws in (a, b):
            state = await client.recv_until(ws, position_is(1, 45.0), TIMEOUT)
            assert state["positions"]["2"] == 50.0


async def test_a_message_on_server_a_reaches_a_client_on_server_b(live_servers, room):
    server_a, server_b = live_servers
    assert server_a.pid != server_b.pid
    async with await open_ws(server_a, "alice", room) as a, await open_ws(server_b, "bob", room) as b:
        await join(a)
        await join(b)
        await client.send_json(a, {"type": "say", "text": "hello from server A"})
        said = await client.recv_until(b, of_type("said"), TIMEOUT)
        assert said == {"type": "said", "user": "alice", "text": "hello from server A"}

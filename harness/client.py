"""Clients for the harness: the real ``websockets`` client and Channels' in-process communicator.

Every helper takes a ``timeout``; none sleeps to synchronise. Use ``recv_until`` to wait for a
message that matters (skipping the ones that do not), and ``eventually`` to poll a condition
with a deadline.
"""

import asyncio
import inspect
import json
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

import websockets
from channels.testing import WebsocketCommunicator

from .compat import LEGACY_CLIENT, LegacyConnection, WaitTimeout, ws_connect
from .seed import token_for

DEFAULT_ORIGIN = "http://localhost"

# websockets >= 15 sends ws:// through the proxy named by http_proxy/https_proxy/ws_proxy
# (loopback included, unless no_proxy covers it); the harness only talks to its own local
# servers, so it never takes a proxy. Older versions have no ``proxy`` argument and use none.
# See context/real-server-environment.md.
NO_PROXY = {"proxy": None} if "proxy" in inspect.signature(ws_connect).parameters else {}


def ws_url(base: str, path: str, *, user: str | None = None, token: str | None = None) -> str:
    """``base`` + ``path`` with ``?token=`` for ``user`` (a seed username) or ``token``."""
    if user is not None:
        token = token_for(user)
    query = f"?{urlencode({'token': token})}" if token else ""
    return f"{base.rstrip('/')}/{path.lstrip('/')}{query}"


async def connect(
    base: str,
    path: str,
    *,
    user: str | None = None,
    token: str | None = None,
    origin: str | None = DEFAULT_ORIGIN,
    timeout: float = 5.0,
):
    """Open a real WebSocket; sends an Origin header only when ``origin`` is not None.

    Connects directly, never through a proxy from the environment (``NO_PROXY``). A refused
    handshake raises ``harness.compat.HandshakeRefused``. The connection works with
    ``async with`` on every websockets version (see ``harness.compat``).
    """
    ws = await ws_connect(
        ws_url(base, path, user=user, token=token),
        origin=origin,
        open_timeout=timeout,
        close_timeout=timeout,
        **NO_PROXY,
    )
    return LegacyConnection(ws) if LEGACY_CLIENT else ws


async def send_json(ws, message: dict) -> None:
    await ws.send(json.dumps(message))


async def recv_json(ws, timeout: float = 5.0) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def recv_until(ws, predicate: Callable[[dict], bool], timeout: float = 5.0) -> dict:
    """Read JSON messages until ``predicate(message)`` is true; return that message.

    Raises ``TimeoutError`` naming every message read while waiting, which is what one needs
    to see when the expected message never comes.
    """
    seen: list[dict] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise TimeoutError(f"no matching message within {timeout} s; read {seen}")
        try:
            message = await recv_json(ws, remaining)
        except WaitTimeout:
            raise TimeoutError(f"no matching message within {timeout} s; read {seen}") from None
        if predicate(message):
            return message
        seen.append(message)


async def eventually(condition: Callable, timeout: float = 5.0, interval: float = 0.01):
    """Poll ``condition`` (sync or async) until it returns something truthy; return that.

    A deadline-bounded poll, not a sleep: it returns as soon as the condition holds.
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = condition()
        if inspect.isawaitable(last):
            last = await asyncio.wait_for(last, max(deadline - time.monotonic(), 0.001))
        if last:
            return last
        if time.monotonic() >= deadline:
            raise TimeoutError(f"condition still false after {timeout} s (last value {last!r})")
        await asyncio.sleep(interval)


async def until_subscribers(redis, channel: str, count: int, timeout: float = 5.0) -> None:
    """Wait until Redis counts ``count`` subscribers of ``channel`` (PUBSUB NUMSUB on ``redis``).

    A consumer that subscribes with redis-py's ``PubSub.subscribe`` may answer its client once
    SUBSCRIBE is written, before Redis has read it: a PUBLISH on another connection right after
    can reach Redis first and find nobody (seen with redis-py 4.6). Wait here before publishing.
    """
    wanted = [(channel.encode(), count)]

    async def counted():
        return await redis.pubsub_numsub(channel) == wanted

    await eventually(counted, timeout=timeout)


async def group_members(layer, group: str) -> int:
    """How many channels the layer counts in ``group``: the in-memory layer's dict, or the
    sorted set channels-redis's ``RedisChannelLayer`` keeps in Redis (``ZCARD``, expired members
    included). Any other layer raises ``TypeError``: ``channels_redis.pubsub``'s layer keeps an
    in-process dict set *before* its SUBSCRIBE reaches Redis, so no count here would mean
    membership there (count ``PUBSUB NUMSUB`` of ``layer._get_group_channel_name(group)``)."""
    from channels.layers import InMemoryChannelLayer
    from channels_redis.core import RedisChannelLayer

    if isinstance(layer, InMemoryChannelLayer):
        return len(layer.groups.get(group, {}))
    if isinstance(layer, RedisChannelLayer):
        return await layer.connection(layer.consistent_hash(group)).zcard(layer._group_key(group))
    raise TypeError(f"group_members: cannot count the members of {type(layer).__name__}; "
                    "see context/readiness-race.md")


async def until_group_members(layer, group: str, count: int, timeout: float = 5.0) -> None:
    """Wait until ``group`` has ``count`` members: send to a group only after this (or after the
    consumer's own signal that it joined) when the consumer joins after accepting."""

    async def counted():
        return await group_members(layer, group) == count

    await eventually(counted, timeout=timeout)


async def close_code(ws, timeout: float = 5.0) -> int | None:
    """Wait for the server to close ``ws``; return its close code (messages are discarded)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def communicator(
    path: str,
    *,
    application=None,
    user: str | None = None,
    token: str | None = None,
    origin: str | None = DEFAULT_ORIGIN,
) -> WebsocketCommunicator:
    """A ``WebsocketCommunicator`` on ``application`` (the production stack by default).

    Unlike the bare communicator, it sends an Origin header unless ``origin`` is None.
    """
    if application is None:
        from .stacks import production_stack

        application = production_stack()
    headers = [(b"origin", origin.encode())] if origin else []
    return WebsocketCommunicator(application, ws_url("", path, user=user, token=token), headers)


def room_code(label: str = "room") -> str:
    """A match-room code no other test uses: ``label`` (letters and digits kept) + a random tag."""
    kept = "".join(ch for ch in label if ch.isalnum())[:24] or "room"
    return f"{kept}-{uuid.uuid4().hex[:8]}"


async def join_players(
    room: str, users=("alice", "bob"), *, application=None, timeout: float = 5.0
) -> list[WebsocketCommunicator]:
    """Communicators for ``users`` (seed usernames), joined to match ``room`` as players.

    One after the other: each connects (with an Origin), sends ``join`` and reads its ``joined``
    answer before the next one joins, so player numbers follow ``users``. ``application`` is
    the production stack by default. Returns them connected; the caller disconnects them.
    """
    players = []
    for user in users:
        comm = communicator(f"/ws/match/{room}/", application=application, user=user)
        connected, code = await comm.connect(timeout=timeout)
        assert connected, f"{user} could not connect to room {room!r}: close code {code}"
        await comm.send_json_to({"type": "join", "role": "player"})
        answer = await comm.receive_json_from(timeout=timeout)
        assert answer["type"] == "joined", f"{user} could not join room {room!r}: {answer}"
        players.append(comm)
    return players

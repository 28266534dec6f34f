"""Fuzzed frames: the harness consumers answer every frame as ``harness.protocol`` documents.

Hypothesis sends arbitrary text and binary frames, JSON of the wrong shape and types, frames
around and far above the 16 KB limit and deeply nested JSON to ``/ws/match/<room>/``,
``/ws/prices/`` and ``/ws/echo/``: in process through the production stack
(``harness.client.communicator``) and over one real Daphne for the module. For each frame:

- the reply is exactly what an oracle written from ``harness.protocol`` predicts: an error
  message with a code in ``ERROR_CODES``, a documented reply, a close code (4009 above
  ``MAX_PAYLOAD_BYTES``, 4000 for ``leave``), the echo, or nothing (``pong``,
  ``unsubscribe``); never a 1011 or an undocumented message;
- nothing hangs: every receive has a timeout and every example a deadline;
- a probe sent after the frame is answered (the connection still works unless it was closed),
  and a new client on the same route is served; the Daphne process stays up, and its log
  holds no "Exception inside application" when the module ends.

Profiles (``HYPOTHESIS_PROFILE``): ``ci`` (default, 40 examples per test) and ``soak``
(500 examples per test; ``make soak`` runs it). ``deadline=None``: a loaded machine is slow,
not wrong; the per-example timeout bounds it instead.
"""

import asyncio
import contextlib
import itertools
import json
import os
import uuid
from dataclasses import dataclass, field

import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import client, protocol
from harness.protocol import MAX_PAYLOAD_BYTES, CloseCode

pytestmark = pytest.mark.realserver

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "soak",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

RECV_TIMEOUT = 10.0  # one reply on a loaded machine
EXAMPLE_TIMEOUT = 60.0  # a whole example: connect, frames, replies, the next client

ROUTES = {"match": "/ws/match/{room}/", "prices": "/ws/prices/", "echo": "/ws/echo/"}
BROADCAST_TYPES = {"status", "state", "said"}  # arrive through the group, in any order


# Frames ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    text: str | None = None
    data: bytes | None = None
    nesting: int = 0  # depth of deliberately nested JSON

    @property
    def size(self) -> int:
        """What the consumers compare with MAX_PAYLOAD_BYTES."""
        if self.text is not None:
            return len(self.text.encode("utf-8", "surrogatepass"))
        return len(self.data)

    def __repr__(self) -> str:  # keep Hypothesis' falsifying examples readable
        body = self.text if self.text is not None else self.data
        shown = repr(body) if len(body) <= 120 else f"{body[:60]!r}...({self.size} bytes)"
        return f"Frame({'text' if self.text is not None else 'bytes'}={shown})"


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
field_values = json_values | st.sampled_from(
    ["player", "observer", "up", "down", "ACME", "", "x" * 13, "é1"]
)
message_types = st.sampled_from(protocol.CLIENT_TYPES + ("subscribe", "unsubscribe")) | json_values
messages = st.builds(
    lambda kind, fields: {"type": kind, **fields},
    message_types,
    st.dictionaries(
        st.sampled_from(["role", "direction", "text", "symbol", "extra"]), field_values, max_size=3
    ),
)


def _sized(kind: str, size: int, unit: str) -> Frame:
    """A frame of exactly ``size`` bytes, built by repeating ``unit`` and padding with "a":
    Hypothesis draws the size, not the bytes, so frames far above its buffer stay cheap."""
    if kind == "binary":
        return Frame(data=(unit.encode() * size)[:size])
    head, tail = ('{"type": "say", "text": "', '"}') if kind == "json" else ("", "")
    room = max(0, size - len(head) - len(tail))
    body = unit * (room // len(unit.encode()))
    return Frame(text=head + body + "a" * (room - len(body.encode())) + tail)


def _nested(depth: int, bracket: str) -> Frame:
    if bracket == "[":
        return Frame(text="[" * depth + "]" * depth, nesting=depth)
    return Frame(text='{"a":' * depth + "0" + "}" * depth, nesting=depth)


frames = st.one_of(
    st.text(max_size=300).map(lambda t: Frame(text=t)),
    st.binary(max_size=300).map(lambda b: Frame(data=b)),
    json_values.map(lambda v: Frame(text=json.dumps(v))),
    messages.map(lambda m: Frame(text=json.dumps(m))),
    st.builds(
        _sized,
        st.sampled_from(["text", "json", "binary"]),
        st.integers(MAX_PAYLOAD_BYTES - 8, MAX_PAYLOAD_BYTES + 8)
        | st.integers(MAX_PAYLOAD_BYTES + 9, 3 * MAX_PAYLOAD_BYTES),
        st.sampled_from(["a", "é", "€", "🙂", "ab"]),
    ),
    st.builds(_nested, st.integers(1, MAX_PAYLOAD_BYTES // 2 + 100), st.sampled_from("[{")),
)


# The oracle: what harness.protocol says each route answers ------------------------------


@dataclass
class Expected:
    direct: list[list[tuple]]  # acceptable sequences of direct replies, before the probe's
    broadcasts: set[str] = field(default_factory=set)  # group messages, in any order


def _parse(frame: Frame, handled: tuple[str, ...]):
    """Steps shared by every JSON route: an outcome, or the message to dispatch."""
    if frame.size > MAX_PAYLOAD_BYTES:
        return ("close", CloseCode.PAYLOAD_TOO_LARGE), None
    if frame.text is None:
        return ("error", "binary_frame"), None
    try:
        message = json.loads(frame.text)
    except (ValueError, RecursionError):
        return ("error", "invalid_json"), None
    if not isinstance(message, dict):
        return ("error", "not_an_object"), None
    if not isinstance(message.get("type"), str):
        return ("error", "missing_type"), None
    if message["type"] not in handled:
        return ("error", "unknown_type"), None
    return None, message


def expect_match(message: dict) -> Expected:
    """A user who is not staff and has not joined, in a room of their own."""
    kind = message["type"]
    if kind == "join":
        if message.get("role") in ("player", "observer"):
            return Expected([[("reply", "joined")]], {"status"})
        return Expected([[("error", "bad_field")]])
    outcomes = {
        "ready": [("error", "not_joined")],
        "move": [("error", "not_joined")],
        "say": [("error", "not_joined")],
        "reset": [("error", "forbidden")],
        "pong": [],
        "leave": [("close", CloseCode.LEFT)],
    }
    return Expected([outcomes[kind]])


def expect_prices(message: dict) -> Expected:
    if message["type"] == "unsubscribe":
        return Expected([[]])
    symbol = message.get("symbol")
    if isinstance(symbol, str) and symbol.isalnum() and len(symbol) <= 12:
        return Expected([[("reply", "subscribed")]])
    return Expected([[("error", "bad_field")]])


def expected(route: str, frame: Frame, *, over_daphne: bool) -> Expected:
    if route == "echo":
        payload = frame.text if frame.text is not None else frame.data
        # Daphne sends nothing for an empty payload (daphne/ws_protocol.py,
        # WebSocketProtocol.handle_reply tests `if message.get("text")`): no echo.
        if over_daphne and not payload:
            return Expected([[]])
        return Expected([[("echo", payload)]])
    handled = {"match": protocol.CLIENT_TYPES, "prices": ("subscribe", "unsubscribe")}[route]
    outcome, message = _parse(frame, handled)
    if outcome is not None:
        result = Expected([[outcome]])
    else:
        result = (expect_match if route == "match" else expect_prices)(message)
    if 300 <= frame.nesting <= 3000:
        # Where json.loads hits the recursion limit depends on how deep the caller's stack
        # already is, which differs between this process and the server: both are fine.
        result.direct.append([("error", "invalid_json")])
    return result


# Transports: the same conversation in process and over a real server ---------------------


class Communicator:
    """``harness.client.communicator`` on the production stack."""

    def __init__(self, path: str, user: str | None):
        self.comm = client.communicator(path, user=user)

    async def open(self) -> None:
        connected, code = await self.comm.connect(timeout=RECV_TIMEOUT)
        assert connected, f"refused with {code}"

    async def send(self, frame: Frame) -> None:
        key = "text" if frame.text is not None else "bytes"
        await self.comm.send_input(
            {"type": "websocket.receive", key: frame.text if key == "text" else frame.data}
        )

    async def recv(self, timeout: float) -> tuple:
        out = await self.comm.receive_output(timeout)
        if out["type"] == "websocket.close":
            return ("close", out.get("code"))
        assert out["type"] == "websocket.send", out
        return ("text", out["text"]) if out.get("text") is not None else ("bytes", out["bytes"])

    async def close(self) -> None:
        await self.comm.disconnect(timeout=RECV_TIMEOUT)


class Socket:
    """The real ``websockets`` client against the module's Daphne."""

    def __init__(self, server, path: str, token: str | None):
        self.server, self.path, self.token, self.ws = server, path, token, None

    async def open(self) -> None:
        self.ws = await client.connect(
            self.server.url,
            self.path,
            token=self.token,
            origin=self.server.origin,
            timeout=RECV_TIMEOUT,
        )

    async def send(self, frame: Frame) -> None:
        payload = frame.text if frame.text is not None else frame.data
        with contextlib.suppress(websockets.ConnectionClosed):  # the server may have closed
            await asyncio.wait_for(self.ws.send(payload), RECV_TIMEOUT)

    async def recv(self, timeout: float) -> tuple:
        try:
            message = await asyncio.wait_for(self.ws.recv(), timeout)
        except websockets.ConnectionClosed as closed:
            return ("close", closed.rcvd.code if closed.rcvd else None)
        return ("text", message) if isinstance(message, str) else ("bytes", message)

    async def close(self) -> None:
        await asyncio.wait_for(self.ws.close(), RECV_TIMEOUT)


def classify(route: str, event: tuple, probe: str) -> tuple:
    """Turn a received event into an outcome; fail on anything the protocol does not list."""
    kind, body = event
    if kind == "close":
        assert body in {c.value for c in CloseCode} - {CloseCode.DENIED}, (
            f"undocumented close {body}"
        )
        return ("close", body)
    if route == "echo":
        return ("probe",) if body == probe else ("echo", body)
    assert kind == "text", f"a JSON route sent a binary frame: {body!r}"
    message = json.loads(body)
    assert isinstance(message, dict) and isinstance(message.get("type"), str), message
    if message["type"] == "error":
        assert message.get("code") in protocol.ERROR_CODES, f"undocumented error {message}"
        if message["code"] == "unknown_type" and repr(probe) in message.get("detail", ""):
            return ("probe",)
        return ("error", message["code"])
    expected_types = set(protocol.SERVER_TYPES) | {"subscribed", "price"}
    assert message["type"] in expected_types, f"undocumented message {message}"
    return ("reply", message["type"])


def probe_frame(route: str, probe: str) -> Frame:
    return Frame(text=probe if route == "echo" else json.dumps({"type": probe}))


async def converse(conn, route: str, sent: list[Frame]) -> tuple[list[tuple], set[str], bool]:
    """Send ``sent`` and a probe; read until the probe's answer (or a close) and return the
    direct replies before it, the broadcast types seen, and whether the server closed."""
    probe = f"probe-{uuid.uuid4().hex[:8]}"
    for frame in sent:
        await conn.send(frame)
    await conn.send(probe_frame(route, probe))
    direct: list[tuple] = []
    broadcasts: set[str] = set()
    while True:
        outcome = classify(route, await conn.recv(RECV_TIMEOUT), probe)
        if outcome == ("probe",):
            return direct, broadcasts, False
        if outcome[0] == "close":
            direct.append(outcome)
            return direct, broadcasts, True
        if outcome[0] == "reply" and outcome[1] in BROADCAST_TYPES:
            broadcasts.add(outcome[1])
        elif outcome != ("reply", "ping"):  # the heartbeat may tick at any time
            direct.append(outcome)


async def collect_broadcasts(conn, route: str, seen: set[str], wanted: set[str]) -> set[str]:
    """Group messages may arrive after the probe's answer: wait (bounded) for the missing."""
    while not wanted <= seen:
        outcome = classify(route, await conn.recv(RECV_TIMEOUT), "")
        if outcome[0] == "reply" and outcome[1] in BROADCAST_TYPES:
            seen.add(outcome[1])
    return seen


async def check_single_frame(make_conn, route: str, frame: Frame, *, over_daphne: bool) -> None:
    want = expected(route, frame, over_daphne=over_daphne)
    conn = make_conn()
    await conn.open()
    try:
        direct, seen, closed = await converse(conn, route, [frame])
        if not closed:
            seen = await collect_broadcasts(conn, route, seen, want.broadcasts)
    finally:
        await conn.close()
    assert direct in want.direct, f"{frame!r}: got {direct}, expected one of {want.direct}"
    assert seen == want.broadcasts, f"{frame!r}: broadcasts {seen}, expected {want.broadcasts}"
    await check_next_client(make_conn, route)


async def check_next_client(make_conn, route: str) -> None:
    """A new connection on the same route is accepted and answers a probe."""
    conn = make_conn()
    await conn.open()
    try:
        direct, _, closed = await converse(conn, route, [])
    finally:
        await conn.close()
    assert direct == [] and not closed, direct


# Fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runner():
    """One event loop for the module's examples; each example is bounded by EXAMPLE_TIMEOUT."""
    with asyncio.Runner() as r:
        yield r


def run(runner, coro) -> None:
    runner.run(asyncio.wait_for(coro, EXAMPLE_TIMEOUT))


@pytest.fixture(scope="module")
def in_process(harness_db, redis_url):
    """The in-process stack: memory layer, the price stream on the session's Redis, and the
    match room's rate limit raised so alice's examples test the protocol, not the limiter
    (the limiter has its own tests; over Daphne the examples rotate users instead)."""
    from django.conf import settings as django_settings

    from harness.consumers.match import MatchConsumer
    from harness.layers import use_channel_layer

    use_channel_layer("memory")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(django_settings, "PRICE_REDIS_URL", redis_url)
        patch.setattr(MatchConsumer, "RATE_LIMIT", 10**9)
        yield
    use_channel_layer("memory")


@pytest.fixture(scope="module")
def fuzz_users(harness_db):
    """Tokens for 200 users made for this module. MatchConsumer allows RATE_LIMIT frames per
    user per RATE_WINDOW, shared by the user's connections, and Daphne runs in its own
    process where the limit cannot be patched; each example takes the next user, 3 frames,
    so a user comes back only after 200 examples, far apart in time."""
    from django.contrib.auth import get_user_model

    from harness.bootstrap import run_sync
    from harness.tokens import issue_token

    first = 10_000
    ids = range(first, first + 200)

    def create():
        User = get_user_model()
        User.objects.filter(pk__in=ids).delete()
        User.objects.bulk_create(User(pk=i, username=f"fuzz-{i}", is_active=True) for i in ids)

    run_sync(create)
    tokens = itertools.cycle([issue_token(i, ttl=3600) for i in ids])
    yield tokens
    run_sync(lambda: get_user_model().objects.filter(pk__in=ids).delete())


@pytest.fixture(scope="module")
def daphne(harness_db, redis_url):
    """One real Daphne for the module, on the Redis layer (the price stream needs Redis).

    At the end, its log must hold no "Exception inside application": a consumer that ended
    with an exception (the connection's close already sent, so no 1011 to see) skipped its
    ``disconnect()``. Daphne logs those when it reaps the instance, about once a second, so
    the check is made once for the module rather than pinned on one example.
    """
    from harness.servers import daphne_server

    with daphne_server(channel_layer="redis", redis_url=redis_url) as server:
        yield server
        assert "Exception inside application" not in server.log(), server.log()


def path_for(route: str) -> str:
    return ROUTES[route].format(room=f"fz{uuid.uuid4().hex[:12]}")


# Tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", sorted(ROUTES))
@settings(PROFILE)
@given(frame=frames)
def test_when_the_communicator_sends_any_frame_then_the_reply_is_documented(
    runner, in_process, route, frame
):
    path = path_for(route)
    user = "alice" if route == "match" else None
    run(
        runner,
        check_single_frame(lambda: Communicator(path, user), route, frame, over_daphne=False),
    )


@pytest.mark.parametrize("route", sorted(ROUTES))
@settings(PROFILE)
@given(frame=frames)
def test_when_daphne_receives_any_frame_then_the_reply_is_documented_and_it_keeps_serving(
    runner, daphne, fuzz_users, route, frame
):
    path = path_for(route)
    token = next(fuzz_users) if route == "match" else None
    run(
        runner,
        check_single_frame(lambda: Socket(daphne, path, token), route, frame, over_daphne=True),
    )
    assert daphne.alive(), daphne.log()


join_and_play = st.sampled_from(
    [
        Frame(text=json.dumps({"type": "join", "role": "player"})),
        Frame(text=json.dumps({"type": "join", "role": "observer"})),
        Frame(text=json.dumps({"type": "ready"})),
        Frame(text=json.dumps({"type": "move", "direction": "up"})),
        Frame(text=json.dumps({"type": "say", "text": "hi"})),
        Frame(text=json.dumps({"type": "pong"})),
    ]
)


def closes(frame: Frame) -> bool:
    """Whether the match room closes the connection on this frame (too large, or ``leave``)."""
    outcome, message = _parse(frame, protocol.CLIENT_TYPES)
    return (
        outcome == ("close", CloseCode.PAYLOAD_TOO_LARGE) or (message or {}).get("type") == "leave"
    )


async def check_sequence(make_conn, frames_sent: list[Frame]) -> None:
    """Any sequence: every reply is documented; the probe is answered unless the server
    closed, and only a documented frame (too large, ``leave``) may close."""
    conn = make_conn()
    await conn.open()
    try:
        direct, _, closed = await converse(conn, "match", frames_sent)
    finally:
        await conn.close()
    if closed:
        assert any(map(closes, frames_sent)), f"closed {direct[-1]} after {frames_sent}"
    await check_next_client(make_conn, "match")


@settings(PROFILE)
@given(sent=st.lists(frames | join_and_play, min_size=1, max_size=6))
def test_when_the_communicator_sends_a_sequence_then_every_reply_is_documented(
    runner, in_process, sent
):
    path = path_for("match")
    run(runner, check_sequence(lambda: Communicator(path, "alice"), sent))


@settings(PROFILE)
@given(sent=st.lists(frames | join_and_play, min_size=1, max_size=6))
def test_when_daphne_receives_a_sequence_then_every_reply_is_documented(
    runner, daphne, fuzz_users, sent
):
    path, token = path_for("match"), next(fuzz_users)
    run(runner, check_sequence(lambda: Socket(daphne, path, token), sent))
    assert daphne.alive(), daphne.log()


# What fuzzing found -------------------------------------------------------------------------


class RefusesSendsWhileClosing:
    """Wrap an application so its sends raise while the socket is closing, as under Daphne
    (autobahn's ``Disconnected``): after the application's own ``websocket.close``, or once
    ``peer_closing`` is set (the client's close frame arrived, ``websocket.disconnect`` not
    yet delivered). The bare communicator would queue those sends instead."""

    def __init__(self, app):
        self.app = app
        self.peer_closing = False

    async def __call__(self, scope, receive, send):
        from autobahn.exception import Disconnected

        closed = False

        async def guarded_send(message):
            nonlocal closed
            if closed or self.peer_closing:
                raise Disconnected("Attempt to send on a closed protocol")
            closed = message["type"] == "websocket.close"
            await send(message)

        return await self.app(scope, receive, guarded_send)


async def joined_player(app, room: str):
    conn = client.communicator(f"/ws/match/{room}/", application=app, user="alice")
    assert await conn.connect(timeout=RECV_TIMEOUT) == (True, None)
    await conn.send_json_to({"type": "join", "role": "player"})
    assert (await conn.receive_json_from(timeout=RECV_TIMEOUT))["type"] == "joined"
    return conn


def test_when_a_frame_crosses_the_servers_close_then_the_consumer_still_cleans_up(
    runner, in_process
):
    """Found by the Daphne sequence fuzz: ``leave`` and then any frame that gets an answer,
    sent back to back. The consumer closed (4000), then answered the second frame; Daphne
    raised ``Disconnected``, the consumer ended with it, ``disconnect()`` never ran and the
    room kept a ghost player (the next two players got ``room_full``)."""
    from harness.rooms import ROOMS
    from harness.stacks import production_stack

    async def scenario():
        conn = await joined_player(RefusesSendsWhileClosing(production_stack()), "crossed")
        await conn.send_json_to({"type": "leave"})
        await conn.send_to(bytes_data=b"crossed the close frame")
        output = await conn.receive_output(timeout=RECV_TIMEOUT)
        while output["type"] == "websocket.send":  # the status broadcast may come first
            output = await conn.receive_output(timeout=RECV_TIMEOUT)
        assert output == {"type": "websocket.close", "code": CloseCode.LEFT}
        await conn.disconnect(timeout=RECV_TIMEOUT)  # re-raises what ended the application

    runner.run(asyncio.wait_for(scenario(), EXAMPLE_TIMEOUT))
    assert ROOMS.get("crossed") is None, "the room kept a ghost player"


def test_when_the_client_closes_during_a_broadcast_then_the_consumer_still_cleans_up(
    runner, in_process
):
    """Found by the Daphne sequence fuzz, rarer: the client closes right after its last
    answer while a group broadcast (``said``) is on its way; Daphne refuses the send between
    the client's close frame and ``websocket.disconnect``, with the same ghost as above."""
    from harness.rooms import ROOMS
    from harness.stacks import production_stack

    async def scenario():
        app = RefusesSendsWhileClosing(production_stack())
        conn = await joined_player(app, "closing-peer")
        app.peer_closing = True
        await conn.send_json_to({"type": "say", "text": "bye"})  # its broadcast cannot go out
        await conn.disconnect(timeout=RECV_TIMEOUT)  # re-raises what ended the application

    runner.run(asyncio.wait_for(scenario(), EXAMPLE_TIMEOUT))
    assert ROOMS.get("closing-peer") is None, "the room kept a ghost player"

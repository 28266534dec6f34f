"""Security matrix of the production stack: each bad input gets its documented outcome.

Every case connects once with one kind of bad input and asserts the outcome that
``harness.protocol`` documents, then that the same application (or server) still serves a good
connection. Each case runs over Channels' in-process ``WebsocketCommunicator`` and over a real
Daphne server with the ``websockets`` client.

Outcomes (``observe`` returns one of these):

- ``("refused", detail)``: the origin validator closed before accept. The communicator reports
  ``(False, 1000)``; Daphne answers the handshake with HTTP 403.
- ``("closed", code)``: accepted, then closed by the server with ``code`` (4001, 4009).
- ``("error", code)``: answered ``{"type": "error", "code": code}`` and the connection stayed
  usable (the route's probe got its answer afterwards).
- ``("open",)``: accepted and the route's probe got its answer.
"""

import asyncio
import json
import uuid
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import websockets

from harness import client
from harness.bootstrap import run_sync
from harness.compat import HandshakeRefused
from harness.consumers import connect_calls
from harness.protocol import MAX_PAYLOAD_BYTES
from harness.tokens import issue_token, unsigned_token

ALLOWED = "http://localhost"  # host in ALLOWED_HOSTS (harness.settings.test)
FOREIGN = "http://evil.example"
TIMEOUT = 10.0  # generous: two cores shared with other test runs


@dataclass(frozen=True)
class Case:
    """One row: how to connect, what to send first, and what must happen."""

    id: str
    expect: tuple  # ("refused",) | ("closed", code) | ("error", code) | ("open",)
    route: str = "match"  # "match" (needs a user) or "echo" (anyone)
    origin: str | None = ALLOWED
    token: str = "valid"  # a kind understood by make_token
    frame: str | bytes | None = None  # sent right after accept; None: the route's probe
    auth_error: str | None = None  # scope["auth_error"] behind the middleware

    def path(self) -> str:
        return "/ws/echo/" if self.route == "echo" else f"/ws/match/{self.id}/"


def say(text: str) -> str:
    return json.dumps({"type": "say", "text": text})


def sized_say(size: int) -> str:
    """A valid ``say`` message of exactly ``size`` bytes."""
    frame = say("")
    return say("x" * (size - len(frame)))


REFUSED = ("refused",)
CASES = [
    Case("control-valid-user", ("open",)),
    Case("missing-origin", REFUSED, origin=None),
    Case("foreign-origin", REFUSED, origin=FOREIGN),
    Case("missing-token", ("closed", 4001), token="missing", auth_error="missing_token"),
    Case("missing-token-on-echo", ("open",), route="echo", token="missing",
         auth_error="missing_token"),
    Case("malformed-token", ("closed", 4001), token="malformed", auth_error="invalid_token"),
    Case("expired-token", ("closed", 4001), token="expired", auth_error="expired"),
    Case("alg-none-token", ("closed", 4001), token="alg_none", auth_error="invalid_token"),
    Case("wrong-key-token", ("closed", 4001), token="wrong_key", auth_error="invalid_token"),
    Case("deleted-user-token", ("closed", 4001), token="deleted_user", auth_error="unknown_user"),
    Case("oversized-payload", ("closed", 4009), frame=sized_say(MAX_PAYLOAD_BYTES + 1)),
    Case("payload-at-the-limit", ("error", "not_joined"), frame=sized_say(MAX_PAYLOAD_BYTES)),
    Case("invalid-json", ("error", "invalid_json"), frame='{"type": "say", "text": '),
    Case("json-without-type", ("error", "missing_type"), frame='{"text": "hi"}'),
    Case("binary-frame", ("error", "binary_frame"), frame=b"\x00\x01binary"),
]


# Probes: a frame each route answers on a healthy connection, and the answer.
def probe(route: str) -> str:
    return "ping" if route == "echo" else json.dumps({"type": "join", "role": "observer"})


def answers_probe(route: str, payload) -> bool:
    if route == "echo":
        return payload == "ping"
    return isinstance(payload, str) and json.loads(payload).get("type") == "joined"


# Users and tokens ---------------------------------------------------------------------


@pytest.fixture
def users(harness_db):
    """Two new users for one test: ``case`` connects with the case's token, ``next`` checks
    the following connection. Fresh users keep the per-user rate limit out of the matrix."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    names = [f"matrix-{uuid.uuid4().hex[:12]}" for _ in range(2)]
    case, following = run_sync(lambda: [User.objects.create(username=n) for n in names])
    yield SimpleNamespace(case=case, next=following)
    run_sync(lambda: User.objects.filter(username__in=names).delete())


def make_token(kind: str, user) -> str | None:
    """The token a case sends, for ``user``; "deleted_user" deletes ``user`` first."""
    if kind == "deleted_user":
        token = issue_token(user.pk)
        run_sync(lambda: type(user).objects.filter(pk=user.pk).delete())
        return token
    return {
        "valid": lambda: issue_token(user.pk),
        "missing": lambda: None,
        "malformed": lambda: "not-a-jwt",
        "expired": lambda: issue_token(user.pk, ttl=-60),
        "alg_none": lambda: unsigned_token(user.pk),
        "wrong_key": lambda: issue_token(user.pk, secret="another-key-that-is-at-least-32-bytes"),
    }[kind]()


# Transports: the same four verbs over the communicator and over a real server ----------


class Refused(Exception):
    """The handshake was refused; ``str()`` is what the client reported."""


class CommunicatorConnection:
    def __init__(self, communicator):
        self.communicator = communicator

    async def send(self, frame) -> None:
        if isinstance(frame, bytes):
            await self.communicator.send_to(bytes_data=frame)
        else:
            await self.communicator.send_to(text_data=frame)

    async def next_event(self) -> tuple:
        event = await self.communicator.receive_output(TIMEOUT)
        if event["type"] == "websocket.close":
            return ("closed", event.get("code", 1000))
        return ("message", event.get("text", event.get("bytes")))

    async def close(self) -> None:
        await self.communicator.disconnect(timeout=TIMEOUT)


class CommunicatorTransport:
    """One production stack in this process; ``scopes`` records what reached the router."""

    name = "communicator"
    refusal = "(False, 1000)"

    def __init__(self):
        from harness.stacks import production_stack, websocket_router

        router = websocket_router()
        self.scopes: list[dict] = []

        async def recorder(scope, receive, send):  # sits between the auth middleware and router
            self.scopes.append(scope)
            return await router(scope, receive, send)

        self.application = production_stack(recorder)

    async def open(self, path: str, *, origin, token) -> CommunicatorConnection:
        communicator = client.communicator(
            path, application=self.application, token=token, origin=origin
        )
        result = await communicator.connect(timeout=TIMEOUT)
        if not result[0]:
            await communicator.disconnect(timeout=TIMEOUT)
            raise Refused(str(result))
        return CommunicatorConnection(communicator)


class ServerConnection:
    def __init__(self, ws):
        self.ws = ws

    async def send(self, frame) -> None:
        try:
            await self.ws.send(frame)
        except websockets.ConnectionClosed:
            pass  # the server closed first; next_event() reports its code

    async def next_event(self) -> tuple:
        try:
            return ("message", await asyncio.wait_for(self.ws.recv(), TIMEOUT))
        except websockets.ConnectionClosed as closed:
            return ("closed", closed.rcvd.code if closed.rcvd else None)

    async def close(self) -> None:
        await self.ws.close()


class ServerTransport:
    """A real Daphne (shared by the module) and the ``websockets`` client."""

    name = "daphne"
    refusal = "server rejected WebSocket connection: HTTP 403"

    def __init__(self, server):
        self.server = server

    async def open(self, path: str, *, origin, token) -> ServerConnection:
        try:
            ws = await client.connect(
                self.server.url, path, token=token, origin=origin, timeout=TIMEOUT
            )
        except HandshakeRefused as refused:
            raise Refused(str(refused)) from None
        return ServerConnection(ws)


async def observe(transport, case: Case, token) -> tuple:
    """Run ``case`` once over ``transport``; return the outcome (see the module docstring)."""
    try:
        connection = await transport.open(case.path(), origin=case.origin, token=token)
    except Refused as refused:
        return ("refused", str(refused))
    try:
        await connection.send(probe(case.route) if case.frame is None else case.frame)
        kind, payload = await connection.next_event()
        if kind == "closed":
            return ("closed", payload)
        if case.frame is None:
            return ("open",) if answers_probe(case.route, payload) else ("unexpected", payload)
        message = json.loads(payload)
        if message.get("type") != "error":
            return ("unexpected", message)
        # protocol: an error keeps the connection open, so the probe must still be answered
        await connection.send(probe(case.route))
        after = await connection.next_event()
        if after[0] == "message" and answers_probe(case.route, after[1]):
            return ("error", message["code"])
        return ("error", message["code"], "then", after)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def server(harness_db):
    from harness.servers import daphne_server

    with daphne_server() as running:
        yield running


@pytest.fixture(params=["communicator", pytest.param("daphne", marks=pytest.mark.realserver)])
def transport(request, harness_db):
    if request.param == "communicator":
        return CommunicatorTransport()
    return ServerTransport(request.getfixturevalue("server"))


@pytest.mark.asyncio
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_case_gets_its_documented_outcome_and_the_next_connection_is_served(
    case, transport, users
):
    token = make_token(case.token, users.case)
    calls_before = sum(connect_calls.values())
    scopes_before = len(getattr(transport, "scopes", []))

    outcome = await observe(transport, case, token)

    expected = ("refused", transport.refusal) if case.expect == REFUSED else case.expect
    assert outcome == expected
    if transport.name == "communicator":
        reached = transport.scopes[scopes_before:]
        if case.expect == REFUSED:  # refused before auth, router and consumer
            assert reached == []
            assert sum(connect_calls.values()) == calls_before
        else:
            assert [scope["auth_error"] for scope in reached] == [case.auth_error]
    else:
        assert transport.server.alive()

    following = Case(f"next-{case.id}"[:40], ("open",))
    assert await observe(transport, following, issue_token(users.next.pk)) == ("open",)

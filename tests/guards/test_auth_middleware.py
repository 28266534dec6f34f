"""Guard for auth-middleware: the production JWT stack never closes; each consumer decides.

Whatever a test stack does, these tests pin what production does: every authentication failure
leaves ``AnonymousUser`` in ``scope["user"]`` and the reason in ``scope["auth_error"]``; a valid
token (whose ``user_id`` claim is a string) yields the user; the echo and price routes accept
anonymous users and the match room closes them with 4001. And every stack the harness can
serve authenticates with that one middleware, so tests cannot drift to a private copy.
"""

import asyncio
import json
import time
import uuid

import jwt
import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.middleware import BaseMiddleware
from channels.routing import URLRouter
from django.conf import settings
from django.urls import path

from harness import client
from harness.protocol import CloseCode
from harness.seed import USERS, token_for
from harness.tokens import issue_token, unsigned_token

# harness.middleware and harness.stacks import Django's auth models, so they are imported
# inside the tests, once the harness_db fixture has set Django up.

TIMEOUT = 10.0  # generous: two cores shared by several test runs


class ScopeProbe(AsyncWebsocketConsumer):
    """Accepts everyone and sends back what the middleware put in the scope."""

    async def connect(self):
        await self.accept()
        report = {"user": self.scope["user"].get_username(), "auth_error": self.scope["auth_error"]}
        await self.send(text_data=json.dumps(report))


def probe_stack():
    """The production stack (origin validation, JWT auth) around the probe."""
    from harness.stacks import production_stack

    return production_stack(URLRouter([path("ws/probe/", ScopeProbe.as_asgi())]))


def no_user_id_token() -> str:
    claims = {"exp": int(time.time()) + 300}
    return jwt.encode(claims, settings.JWT_SECRET, algorithm=settings.JWT_ALGORITHM)


# name -> (token factory, the auth_error production must report)
BAD_TOKENS = {
    "missing": (lambda: None, "missing_token"),
    "empty": (lambda: "", "missing_token"),
    "malformed": (lambda: "not-a-jwt", "invalid_token"),
    "expired": (lambda: token_for("alice", ttl=-60), "expired"),
    "alg none": (lambda: unsigned_token(USERS["alice"]["id"]), "invalid_token"),
    "wrong secret": (
        lambda: issue_token(USERS["alice"]["id"], secret="another-secret-that-is-32-bytes-long"),
        "invalid_token",
    ),
    "user_id not a number": (lambda: issue_token("abc"), "invalid_token"),
    "no user_id": (no_user_id_token, "invalid_token"),
    "unknown user": (lambda: issue_token(999), "unknown_user"),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("case", BAD_TOKENS)
async def test_when_the_token_is_bad_then_production_gives_anonymous_and_the_reason(harness_db, case):
    from harness.middleware import authenticate

    make_token, reason = BAD_TOKENS[case]
    user, error = await authenticate(make_token())
    assert not user.is_authenticated
    assert error == reason


@pytest.mark.asyncio
async def test_when_user_id_is_a_string_then_production_converts_it_at_the_boundary(harness_db):
    from harness.middleware import authenticate

    token = token_for("alice")
    claims = jwt.decode(token, settings.JWT_SECRET, algorithms=[settings.JWT_ALGORITHM])
    assert claims["user_id"] == "1"  # what the issuer writes: a string
    user, error = await authenticate(token)
    assert (user.pk, user.get_username(), error) == (1, "alice", None)


@pytest.mark.asyncio
async def test_when_user_id_is_an_int_then_production_resolves_it_too(harness_db):
    from harness.middleware import authenticate

    claims = {"user_id": 2, "exp": int(time.time()) + 300}
    token = jwt.encode(claims, settings.JWT_SECRET, algorithm=settings.JWT_ALGORITHM)
    user, error = await authenticate(token)
    assert (user.get_username(), error) == ("bob", None)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing", {"user": "", "auth_error": "missing_token"}),
        ("expired", {"user": "", "auth_error": "expired"}),
        ("alg none", {"user": "", "auth_error": "invalid_token"}),
        ("valid", {"user": "alice", "auth_error": None}),
    ],
)
async def test_when_connecting_through_production_then_the_middleware_never_closes(
    memory_layer, case, expected
):
    token = token_for("alice") if case == "valid" else BAD_TOKENS[case][0]()
    comm = client.communicator("/ws/probe/", application=probe_stack(), token=token)
    assert await comm.connect(timeout=TIMEOUT) == (True, None)
    assert await comm.receive_json_from(timeout=TIMEOUT) == expected
    await comm.disconnect(timeout=TIMEOUT)


@pytest.mark.asyncio
@pytest.mark.parametrize("route", ["/ws/echo/", "/ws/prices/"])
async def test_when_anonymous_then_routes_that_allow_it_accept(memory_layer, route):
    comm = client.communicator(route)
    assert await comm.connect(timeout=TIMEOUT) == (True, None)
    await comm.disconnect(timeout=TIMEOUT)


@pytest.mark.asyncio
async def test_when_anonymous_then_the_match_room_itself_closes_with_4001(memory_layer):
    comm = client.communicator(f"/ws/match/guard-{uuid.uuid4().hex[:8]}/")
    assert await comm.connect(timeout=TIMEOUT) == (True, None)  # the consumer ran and decided
    message = await comm.receive_output(timeout=TIMEOUT)
    assert message == {"type": "websocket.close", "code": CloseCode.UNAUTHENTICATED}
    await comm.disconnect(timeout=TIMEOUT)


@pytest.mark.asyncio
async def test_when_the_token_is_valid_then_the_match_room_lets_the_user_join(memory_layer):
    room = f"guard-{uuid.uuid4().hex[:8]}"
    comm = client.communicator(f"/ws/match/{room}/", user="alice")
    assert await comm.connect(timeout=TIMEOUT) == (True, None)
    await comm.send_json_to({"type": "join", "role": "player"})
    joined = await comm.receive_json_from(timeout=TIMEOUT)
    assert joined == {"type": "joined", "role": "player", "room": room, "player_num": 1}
    await comm.disconnect(timeout=TIMEOUT)


def layers(app):
    """The chain of ASGI wrappers from ``app`` inwards (stops at the router)."""
    while app is not None:
        yield app
        app = getattr(app, "inner", None) or getattr(app, "application", None)


def test_every_stack_authenticates_with_the_production_middleware(harness_db):
    """A test-only stack may drop a layer (the origin validator), never swap the auth."""
    from harness.middleware import JWTAuthMiddleware
    from harness.stacks import STACKS

    assert STACKS, "no stacks to check"
    for name, build in STACKS.items():
        chain = [type(layer) for layer in layers(build())]
        middleware = [kind for kind in chain if issubclass(kind, BaseMiddleware)]
        assert middleware == [JWTAuthMiddleware], f"stack {name!r}: {chain}"


@pytest.mark.realserver
@pytest.mark.asyncio
async def test_over_daphne_anonymous_echo_connects_and_the_match_room_closes_4001(daphne):
    server = daphne()
    ws = await client.connect(server.url, "/ws/echo/", origin=server.origin, timeout=TIMEOUT)
    await ws.send("hello")
    assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "hello"
    await ws.close()
    room = f"guard-{uuid.uuid4().hex[:8]}"
    ws = await client.connect(server.url, f"/ws/match/{room}/", origin=server.origin, timeout=TIMEOUT)
    assert await client.close_code(ws, TIMEOUT) == CloseCode.UNAUTHENTICATED

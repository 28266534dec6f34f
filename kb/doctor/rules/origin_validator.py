"""origin-validator: a communicator sent through ``AllowedHostsOriginValidator`` without an
``Origin`` header, and an ``ALLOWED_HOSTS`` override made after the validator was built."""

import ast

from ..context import constant, kwarg
from ..model import Rule

ENTRY = "origin-validator"
VALIDATORS = ("AllowedHostsOriginValidator", "OriginValidator")


def headers_lack(ctx, call: ast.Call, header: bytes) -> bool:
    """Whether the communicator's headers surely lack ``header`` (unknown headers: no)."""
    headers = kwarg(call, "headers", 2)
    if headers is None:
        return True
    if not isinstance(headers, (ast.List, ast.Tuple)):
        return False
    names = [constant(e.elts[0]) for e in headers.elts if isinstance(e, (ast.Tuple, ast.List)) and e.elts]
    return all(isinstance(n, bytes) and n.lower() != header for n in names)


def communicators(ctx):
    for call in ctx.calls:
        if ctx.qual(call.func).rpartition(".")[2] == "WebsocketCommunicator" and call.args:
            yield call


def refuses_missing_origin(ctx, call) -> bool:
    """An OriginValidator whose literal allowed list holds "*" lets a missing Origin through."""
    allowed = kwarg(call, "allowed_origins", 1) if ctx.last(call) == "OriginValidator" else None
    return not (isinstance(allowed, (ast.List, ast.Tuple)) and any(constant(e) == "*" for e in allowed.elts))


def expects_refusal(ctx, func) -> bool:
    """The test asserts the connection fails (``assert not connected``, ``assertFalse``, ``False``)."""
    for node in ctx.walk(func):
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not):
            return True
        if isinstance(node, ast.Call) and ctx.last(node) == "assertFalse":
            return True
        if isinstance(node, ast.Assert) and any(constant(n) is False for n in ctx.walk(node.test)):
            return True
    return False


def without_origin(ctx):
    for call in communicators(ctx):
        func = ctx.function_of(call)
        if headers_lack(ctx, call, b"origin") and ctx.builds(call.args[0], VALIDATORS, accept=refuses_missing_origin) \
                and not (func is not None and expects_refusal(ctx, func)):
            yield call


def override_after_build(ctx):
    """``with override_settings(ALLOWED_HOSTS=...)`` around a communicator whose application
    was made outside the block (a fixture, a module name)."""
    for node in ctx.nodes:
        if not isinstance(node, (ast.With, ast.AsyncWith)):
            continue
        overrides = [i.context_expr for i in node.items if isinstance(i.context_expr, ast.Call)
                     and ctx.last(i.context_expr) == "override_settings"
                     and kwarg(i.context_expr, "ALLOWED_HOSTS") is not None]
        if not overrides:
            continue
        inside = {id(n) for stmt in node.body for n in ctx.walk(stmt)}
        for call in communicators(ctx):
            if id(call) in inside and isinstance(call.args[0], ast.Name):
                made = [v for _, v in ctx.values_of(call.args[0])]
                if made and not any(id(v) in inside for v in made) and ctx.builds(call.args[0], VALIDATORS):
                    yield overrides[0]
                    break


RULES = [
    Rule(
        code="KB240", needs=('WebsocketCommunicator',), entry=ENTRY, name="communicator-without-origin", check=without_origin,
        message="WebsocketCommunicator without an Origin header, on a stack wrapped in "
                "AllowedHostsOriginValidator: connect() returns (False, ...)",
        fix="send the Origin the stack allows: WebsocketCommunicator(app, path, "
            "headers=[(b\"origin\", b\"http://localhost\")]); do not test a stack without the validator",
        flags=('''
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from myapp.routing import router

async def test_connect():
    communicator = WebsocketCommunicator(AllowedHostsOriginValidator(router), "/ws/")
    assert (await communicator.connect())[0]
''',),
        passes=('''
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from myapp.routing import router

async def test_connect():
    communicator = WebsocketCommunicator(AllowedHostsOriginValidator(router), "/ws/",
                                         headers=[(b"origin", b"http://localhost")])
    assert (await communicator.connect())[0]
''',),
    ),
    Rule(
        code="KB241", needs=('override_settings',), entry=ENTRY, name="allowed-hosts-override-after-build", check=override_after_build,
        message="override_settings(ALLOWED_HOSTS=...) around a communicator whose stack was built "
                "before it: AllowedHostsOriginValidator read ALLOWED_HOSTS when it was made",
        fix="build the application inside the override (or set ALLOWED_HOSTS in the test settings "
            "before asgi.py is imported)",
        flags=('''
import pytest
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from myapp.routing import router

@pytest.fixture
def application():
    return AllowedHostsOriginValidator(router)

async def test_override(application):
    with override_settings(ALLOWED_HOSTS=["app.example.com"]):
        communicator = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", b"https://app.example.com")])
        assert (await communicator.connect())[0]
''',),
        passes=('''
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from myapp.routing import router

async def test_override():
    with override_settings(ALLOWED_HOSTS=["app.example.com"]):
        application = AllowedHostsOriginValidator(router)
        communicator = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", b"https://app.example.com")])
        assert (await communicator.connect())[0]
''',),
    ),
]

"""event-loop-conflict: a connected communicator kept beyond one test's event loop (a wider
async fixture, a ``setUpClass``), which the next test's consumer meets on the channel layer."""

import ast

from ..context import constant, kwarg
from ..model import Rule

ENTRY = "event-loop-conflict"
WIDE = ("class", "module", "package", "session")


def connects_communicator(ctx, func) -> bool:
    """The function makes a communicator and connects it (``.connect(`` on it)."""
    made = any(isinstance(n, ast.Call) and ("ommunicator" in ctx.last(n)) for n in ctx.walk(func))
    connected = any(isinstance(n, ast.Attribute) and n.attr == "connect" for n in ctx.walk(func))
    return made and connected


def wide_fixture_holds_communicator(ctx):
    for func in ctx.functions:
        deco = ctx.fixture_call(func)
        if not isinstance(func, ast.AsyncFunctionDef) or not isinstance(deco, ast.Call):
            continue
        scope = constant(kwarg(deco, "scope"))
        if scope in WIDE and connects_communicator(ctx, func):
            yield deco, f"{func.name} (scope={scope!r})"


def setupclass_communicator(ctx):
    for func in ctx.functions:
        owner = ctx.class_of(func)
        if func.name in ("setUpClass", "setUpTestData") and owner is not None and connects_communicator(ctx, func):
            yield func, f"{owner.name}.{func.name}"


RULES = [
    Rule(code="KB160", needs=('scope',), entry=ENTRY, name="wide-fixture-holds-communicator", check=wide_fixture_holds_communicator,
         message="a class/module/session-scoped async fixture holds a connected communicator: its consumer "
                 "waits in that fixture's loop while each test's runs in its own ('Two event loops are "
                 "trying to receive()')",
         fix="make the fixture function-scoped (connect per test), or run the tests in the fixture's loop "
             "(@pytest.mark.asyncio(loop_scope=...) matching it)",
         flags=('''
import pytest_asyncio
from channels.testing import WebsocketCommunicator

@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def player(app):
    comm = WebsocketCommunicator(app, "/ws/room/")
    await comm.connect()
    yield comm
    await comm.disconnect()
''',),
         passes=('''
import pytest_asyncio
from channels.testing import WebsocketCommunicator

@pytest_asyncio.fixture
async def player(app):
    comm = WebsocketCommunicator(app, "/ws/room/")
    await comm.connect()
    yield comm
    await comm.disconnect()
''',)),
    Rule(code="KB161", needs=('setUpClass', 'setUpTestData'), entry=ENTRY, name="setupclass-communicator", check=setupclass_communicator,
         message="a communicator connected in setUpClass: Django runs it and each async test in an event "
                 "loop of its own, so the consumer is gone (or in another loop) when a test uses it",
         fix="connect the communicator in the test (or in asyncSetUp of an IsolatedAsyncioTestCase)",
         flags=('''
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import TestCase

class EchoTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.echo = WebsocketCommunicator(app, "/ws/echo/")
        async_to_sync(cls.echo.connect)()
''',),
         passes=('''
from channels.testing import WebsocketCommunicator
from django.test import SimpleTestCase

class EchoTests(SimpleTestCase):
    async def test_echo(self):
        echo = WebsocketCommunicator(app, "/ws/echo/")
        await echo.connect()
        await echo.disconnect()
''',)),
]

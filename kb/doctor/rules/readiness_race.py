"""readiness-race: a test sends to a group right after ``connect()`` returned, to a consumer whose
``connect()`` accepts before it joins the group (``accept()`` then ``group_add``)."""

import ast

from ..context import dotted
from ..model import Rule

ENTRY = "readiness-race"


def joins_after_accept(ctx, cls) -> bool:
    """The class's own ``connect()`` awaits ``self.accept()`` before it first calls
    ``...channel_layer.group_add`` (and the class has no ``groups``, which channels joins first)."""
    method = next((s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and s.name == "connect"), None)
    if method is None:
        return False
    accept = add = None
    for node in ctx.walk(method):
        if isinstance(node, ast.Call):
            text = ctx.text(node.func)
            if text == "self.accept" and accept is None:
                accept = (node.lineno, node.col_offset)
            elif "channel_layer.group_add" in text and add is None:
                add = (node.lineno, node.col_offset)
    return accept is not None and add is not None and accept < add


def consumer_class(ctx, call: ast.Call):
    """``(context, class)`` of ``X.as_asgi()``, X a class of this file or of a project module."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "as_asgi"):
        return None
    name = dotted(call.func.value)
    if "." not in name and name in ctx.classes and name not in ctx.imports:
        return ctx, ctx.classes[name]
    module, _, attr = ctx.qual(call.func.value).rpartition(".")
    other = ctx.project.module(module) if module else None
    if other is not None and attr in other.classes:
        return other, other.classes[attr]
    return None


def accepts_first(ctx, call) -> bool:
    found = consumer_class(ctx, call)
    return found is not None and joins_after_accept(*found)


def racy_consumers(ctx, communicator) -> bool:
    """The communicator's application reaches an accept-first consumer (every argument of the
    call that made it is followed: ``WebsocketCommunicator(app, ...)``, a helper's
    ``application=``)."""
    for made_ctx, made in ctx.values_of(communicator):
        if not isinstance(made, ast.Call):
            continue
        for arg in [*made.args, *(k.value for k in made.keywords)]:
            if made_ctx.builds(arg, ("as_asgi",), accept=accepts_first):
                return True
    return False


def group_send_after_connect(ctx):
    """A ``group_send`` that is the first call the test awaits after a communicator's ``connect()``."""
    for func in ctx.functions:
        if not ctx.is_test(func) or "group_send" not in ctx.text(func):
            continue
        calls = sorted((n.value for n in ctx.walk(func) if isinstance(n, ast.Await) and isinstance(n.value, ast.Call)
                        and ctx.function_of(n) is func), key=lambda c: (c.lineno, c.col_offset))
        for before, call in zip(calls, calls[1:], strict=False):
            if isinstance(before.func, ast.Attribute) and before.func.attr == "connect" \
                    and isinstance(before.func.value, ast.Name) and isinstance(call.func, ast.Attribute) \
                    and call.func.attr == "group_send" and racy_consumers(ctx, before.func.value):
                yield call


RULES = [
    Rule(code="KB330", needs=("group_send",), entry=ENTRY, name="group-send-before-join", check=group_send_after_connect,
         message="group_send right after connect() to a consumer that accepts before group_add: connect() returns "
                 "on the accept, the group may have no member yet, the message is lost and the receive raises "
                 "TimeoutError (timing-dependent: on channels-redis, and on the in-memory layer when connect() awaits "
                 "something between accept() and group_add)",
         fix="join before accepting (await self.channel_layer.group_add(...), then await self.accept(), or a "
             "groups class attribute); or wait until the layer counts the member, or for a message the consumer "
             "sends after group_add; never a sleep",
         flags=('''
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator


class NewsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.channel_layer.group_add("news", self.channel_name)


async def test_news():
    comm = WebsocketCommunicator(NewsConsumer.as_asgi(), "/ws/news/")
    assert (await comm.connect())[0]
    await get_channel_layer().group_send("news", {"type": "news.item", "item": {"title": "hello"}})
    assert await comm.receive_json_from() == {"title": "hello"}
''',),
         passes=('''
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator


class NewsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add("news", self.channel_name)
        await self.accept()


async def test_news():
    comm = WebsocketCommunicator(NewsConsumer.as_asgi(), "/ws/news/")
    assert (await comm.connect())[0]
    await get_channel_layer().group_send("news", {"type": "news.item", "item": {"title": "hello"}})
    assert await comm.receive_json_from() == {"title": "hello"}
''', '''
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator


class NewsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.channel_layer.group_add("news", self.channel_name)
        await self.send_json({"type": "joined"})


async def test_news():
    comm = WebsocketCommunicator(NewsConsumer.as_asgi(), "/ws/news/")
    assert (await comm.connect())[0]
    assert (await comm.receive_json_from())["type"] == "joined"
    await get_channel_layer().group_send("news", {"type": "news.item", "item": {"title": "hello"}})
    assert await comm.receive_json_from() == {"title": "hello"}
''')),
]

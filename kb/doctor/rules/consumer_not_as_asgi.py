"""consumer-not-as-asgi: a consumer class (not ``Consumer.as_asgi()``) handed to a communicator
or routed by ``path()``/``re_path()``/``URLRouter``/``ProtocolTypeRouter``."""

import ast

from ..context import dotted
from ..model import Rule

ENTRY = "consumer-not-as-asgi"
COMMUNICATORS = ("WebsocketCommunicator", "ApplicationCommunicator", "HttpCommunicator")
CONSUMER_BASES = ("Consumer", "ASGIHandler")


def is_consumer_class(ctx, node, depth: int = 0) -> bool:
    """A Name naming a class whose bases end in ``Consumer`` (followed through the project), or
    Django's ``ASGIHandler``."""
    if not isinstance(node, ast.Name) or depth > 5:
        return False
    func = ctx.function_of(node)
    if func is not None and any(isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == node.id for t in n.targets) for n in ctx.walk(func)):
        return False  # a local variable: an instance or as_asgi() result, most likely
    qualified = ctx.qual(node)
    if qualified.rpartition(".")[2] == "ASGIHandler":
        return True
    cls = ctx.classes.get(node.id) if node.id not in ctx.imports else None
    owner = ctx
    if cls is None and node.id in ctx.imports:
        module, _, attr = qualified.rpartition(".")
        other = ctx.project.module(module)
        if other is not None:
            cls, owner = other.classes.get(attr), other
        elif attr.endswith("Consumer") and attr[:1].isupper():
            return True  # a class of an unscanned package, named as one
    if cls is None:
        return False
    for base in cls.bases:
        name = dotted(base).rpartition(".")[2]
        if name.endswith(CONSUMER_BASES) or (isinstance(base, ast.Name) and is_consumer_class(owner, base, depth + 1)):
            return True
    return False


def handed_over(ctx):
    for call in ctx.calls:
        last = ctx.qual(call.func).rpartition(".")[2]
        candidates = []
        if last in COMMUNICATORS and call.args:
            candidates = [call.args[0]]
        elif last in ("path", "re_path", "url") and len(call.args) >= 2:
            candidates = [call.args[1]]
        elif last == "ProtocolTypeRouter" and call.args and isinstance(call.args[0], ast.Dict):
            candidates = list(call.args[0].values)
        elif last in ("AuthMiddlewareStack", "AllowedHostsOriginValidator", "SessionMiddlewareStack") and call.args:
            candidates = [call.args[0]]
        for node in candidates:
            if is_consumer_class(ctx, node):
                yield node, f"{node.id}"


RULES = [
    Rule(
        code="KB140", needs=('Consumer', 'ASGIHandler'), entry=ENTRY, name="consumer-class-not-as-asgi", check=handed_over,
        versions={"channels": ">=3.0"},  # Channels 2 routed classes
        message="a consumer class where an ASGI application belongs (missing .as_asgi())",
        fix="hand over Consumer.as_asgi() (path(\"ws/x/\", Consumer.as_asgi()), "
            "WebsocketCommunicator(Consumer.as_asgi(), ...)); for Django's handler use get_asgi_application()",
        flags=('''
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator

class EchoConsumer(AsyncWebsocketConsumer):
    pass

async def test_echo():
    communicator = WebsocketCommunicator(EchoConsumer, "/ws/echo/")
    assert (await communicator.connect())[0]
''', '''
from django.urls import path
from myapp.consumers import ChatConsumer

websocket_urlpatterns = [path("ws/chat/", ChatConsumer)]
'''),
        passes=('''
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator

class EchoConsumer(AsyncWebsocketConsumer):
    pass

async def test_echo():
    communicator = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
    assert (await communicator.connect())[0]
''', '''
from django.urls import path
from myapp.consumers import ChatConsumer

websocket_urlpatterns = [path("ws/chat/", ChatConsumer.as_asgi())]
'''),
    ),
]

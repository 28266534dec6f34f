"""auth-middleware: a communicator on ``AuthMiddlewareStack`` without a session cookie, where the
test expects a user."""

import ast

from ..context import constant
from ..model import Rule
from .origin_validator import communicators, headers_lack

ENTRY = "auth-middleware"
SESSION_STACKS = ("AuthMiddlewareStack", "AuthMiddleware")  # the ones that put a user in the scope


def without_cookie(ctx):
    for call in communicators(ctx):
        func = ctx.function_of(call)
        if func is None or not headers_lack(ctx, call, b"cookie") or not ctx.builds(call.args[0], SESSION_STACKS):
            continue
        # the test means a user: it logs one in, or its module reads scope["user"]
        expects_user = any(isinstance(n, ast.Attribute) and n.attr in ("force_login", "login")
                           for n in ctx.walk(func)) or any(
            isinstance(n, ast.Subscript) and constant(n.slice) == "user" for n in ctx.nodes)
        if expects_user:
            yield call


RULES = [
    Rule(code="KB110", needs=('Middleware',), entry=ENTRY, name="session-stack-without-cookie", check=without_cookie,
         message="a communicator on AuthMiddlewareStack without a session cookie: the consumer's "
                 "scope['user'] is AnonymousUser",
         fix="log the user in and send the session cookie: client.force_login(user); "
             "headers=[(b\"cookie\", f\"sessionid={client.cookies['sessionid'].value}\".encode())]; "
             "or put the user in the scope (communicator.scope[\"user\"] = user)",
         flags=('''
from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator

class WhoAmI(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.send(text_data=str(self.scope["user"]))

async def test_alice(router):
    comm = WebsocketCommunicator(AuthMiddlewareStack(router), "/ws/who/")
    await comm.connect()
    assert await comm.receive_from() == "alice"
''',),
         passes=('''
from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator

class WhoAmI(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.send(text_data=str(self.scope["user"]))

async def test_alice(router, cookie):
    comm = WebsocketCommunicator(AuthMiddlewareStack(router), "/ws/who/", headers=[(b"cookie", cookie)])
    await comm.connect()
    assert await comm.receive_from() == "alice"
''',)),
]

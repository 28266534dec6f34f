"""auth-middleware: a communicator on ``AuthMiddlewareStack`` without a session cookie, where the
test expects a user."""

import ast

from ..model import Rule
from .origin_validator import communicators, headers_lack

ENTRY = "auth-middleware"
SESSION_STACKS = ("AuthMiddlewareStack", "SessionMiddlewareStack", "CookieMiddleware", "SessionMiddleware")


def without_cookie(ctx):
    for call in communicators(ctx):
        func = ctx.function_of(call)
        if func is None or not headers_lack(ctx, call, b"cookie") or not ctx.builds(call.args[0], SESSION_STACKS):
            continue
        expects_user = any(isinstance(n, ast.Attribute) and n.attr in ("force_login", "login")
                           or isinstance(n, ast.Constant) and n.value == "user"
                           or isinstance(n, ast.Compare) and any(isinstance(c, ast.Constant) and isinstance(c.value, str)
                                                                 for c in n.comparators)
                           for n in ast.walk(func))
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
from channels.testing import WebsocketCommunicator

async def test_alice(router):
    comm = WebsocketCommunicator(AuthMiddlewareStack(router), "/ws/who/")
    await comm.connect()
    assert await comm.receive_from() == "alice"
''',),
         passes=('''
from channels.auth import AuthMiddlewareStack
from channels.testing import WebsocketCommunicator

async def test_alice(router, cookie):
    comm = WebsocketCommunicator(AuthMiddlewareStack(router), "/ws/who/", headers=[(b"cookie", cookie)])
    await comm.connect()
    assert await comm.receive_from() == "alice"
''',)),
]

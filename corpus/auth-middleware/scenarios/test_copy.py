"""The incident's test-only JWT middleware: it closes 4003 without a token (anonymous routes
cannot be tested), and looks the token's string user_id up in a dict keyed by int (a valid
user comes out anonymous, and the match room closes her with 4001)."""

from harness.bootstrap import bootstrap

bootstrap("harness.settings.test")  # Django set up before the middleware imports

import jwt  # noqa: E402
import pytest  # noqa: E402
from channels.middleware import BaseMiddleware  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402

from harness.client import communicator  # noqa: E402
from harness.middleware import token_from_scope  # noqa: E402

TEST_USERS = {}


class TestJWTAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        token = token_from_scope(scope)
        if not token:
            await receive()
            await send({"type": "websocket.close", "code": 4003})
            return
        claims = jwt.decode(token, settings.JWT_SECRET, algorithms=[settings.JWT_ALGORITHM])
        scope = dict(scope, user=TEST_USERS.get(claims.get("user_id")) or AnonymousUser())
        return await super().__call__(scope, receive, send)


@pytest.fixture
def application(harness_db):
    from django.contrib.auth import get_user_model

    from harness.stacks import websocket_router

    for user in get_user_model().objects.all():
        TEST_USERS[user.pk] = user
    return AllowedHostsOriginValidator(TestJWTAuthMiddleware(websocket_router()))


@pytest.mark.asyncio
async def test_anon(application):
    comm = communicator("/ws/echo/", application=application)
    assert await comm.connect() == (True, None)


@pytest.mark.asyncio
async def test_join(application):
    comm = communicator("/ws/match/auth-corpus/", application=application, user="alice")
    assert (await comm.connect())[0]
    await comm.send_json_to({"type": "join", "role": "player"})
    message = await comm.receive_output()
    assert message["type"] == "websocket.send", message

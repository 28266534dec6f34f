"""A consumer that closes the way its URL says, and the ASGI application Daphne serves it with.

``/ws/close/<how>/`` (the close-codes entry, its notebook and its corpus scenarios):

- ``deny``: ``close()`` before ``accept()``;
- ``deny-4003``: ``close(code=4003)`` before ``accept()``;
- ``code-<n>``: ``accept()``, then ``close(code=<n>)`` with ``<n>`` an exact ``int``;
- ``plain``: ``accept()``, then ``close()`` (no code);
- ``enum``: ``accept()``, then ``close(code=AppCode.LEFT)``: an ``IntEnum`` member equal to 4000;
- ``httpstatus``: ``accept()``, then ``close(code=HTTPStatus.FORBIDDEN)`` (403, an ``IntEnum``);
- ``raise``: ``accept()``, then raises ``RuntimeError("consumer failed after accept")``;
- anything else: ``accept()`` and echo text frames.

``disconnect(code)`` prints ``disconnect code=<code>`` to stderr (Daphne's log), so a test can
read the code the consumer was given when the client closed or vanished.

Serve it with ``daphne_server(app="closing_asgi:application")`` and this folder on
``PYTHONPATH``; in a test process ``closing_router()`` gives the same routes without the Origin
check.
"""

import os
import sys
from enum import IntEnum
from http import HTTPStatus

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harness.settings.test")

from django.core.asgi import get_asgi_application  # noqa: E402

http_application = get_asgi_application()  # sets Django up before Channels imports models

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402


class AppCode(IntEnum):
    """Application close codes as many projects write them: equal to ints, not exactly int."""

    LEFT = 4000


class ClosingConsumer(AsyncWebsocketConsumer):
    """Closes as ``scope["url_route"]["kwargs"]["how"]`` says (see the module docstring)."""

    async def connect(self):
        how = self.scope["url_route"]["kwargs"]["how"]
        if how == "deny":
            await self.close()
            return
        if how == "deny-4003":
            await self.close(code=4003)
            return
        await self.accept()
        if how.startswith("code-"):
            await self.close(code=int(how.removeprefix("code-")))
        elif how == "plain":
            await self.close()
        elif how == "enum":
            await self.close(code=AppCode.LEFT)
        elif how == "httpstatus":
            await self.close(code=HTTPStatus.FORBIDDEN)
        elif how == "raise":
            raise RuntimeError("consumer failed after accept")

    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=text_data, bytes_data=bytes_data)

    async def disconnect(self, code):
        print(f"disconnect code={code!r}", file=sys.stderr, flush=True)


def closing_router() -> URLRouter:
    return URLRouter([re_path(r"^ws/close/(?P<how>[a-z0-9-]+)/$", ClosingConsumer.as_asgi())])


application = ProtocolTypeRouter({"http": http_application, "websocket": closing_router()})

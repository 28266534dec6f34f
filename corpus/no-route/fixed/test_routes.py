"""test_routes.py, test_paths.py and test_root_path.py fixed: routes without a leading '/', a
regular expression in re_path(), an outer pattern without '$', paths the routes accept, the
query in query_string, and a path that starts with its root_path."""

import pytest
from channels.routing import URLRouter
from channels.testing import ApplicationCommunicator, WebsocketCommunicator
from django.urls import path, re_path

from harness.consumers.echo import EchoConsumer

ROUTES = [
    path("ws/echo/", EchoConsumer.as_asgi()),
    re_path(r"^ws/regex/$", EchoConsumer.as_asgi()),
    re_path(r"^ws/nested/", URLRouter([path("echo/", EchoConsumer.as_asgi())])),
]


@pytest.mark.asyncio
async def test_paths(harness_db):
    for where in ("/ws/echo/", "/ws/regex/", "/ws/nested/echo/"):
        communicator = WebsocketCommunicator(URLRouter(ROUTES), where)
        assert (await communicator.connect())[0]
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_scope(harness_db):
    scope = {"type": "websocket", "path": "/app/ws/echo/", "root_path": "/app",
             "query_string": b"lang=en", "headers": [], "subprotocols": []}
    communicator = ApplicationCommunicator(URLRouter(ROUTES), scope)
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output())["type"] == "websocket.accept"

"""Routes written so that URLRouter can never match the path the test connects to.

Short test names: pytest's one-line summary (80 columns) then still shows the message.
"""

import pytest
from channels.testing import WebsocketCommunicator


async def connect(routes, path):
    from channels.routing import URLRouter

    communicator = WebsocketCommunicator(URLRouter(routes), path)
    connected, _ = await communicator.connect()
    return connected


@pytest.mark.asyncio
async def test_lead(harness_db):
    """A route written with a leading '/'."""
    from django.urls import path

    from harness.consumers.echo import EchoConsumer

    assert await connect([path("/ws/echo/", EchoConsumer.as_asgi())], "/ws/echo/")


@pytest.mark.asyncio
async def test_regex(harness_db):
    """A regular expression given to path()."""
    from django.urls import path

    from harness.consumers.echo import EchoConsumer

    assert await connect([path(r"^ws/echo/$", EchoConsumer.as_asgi())], "/ws/echo/")


@pytest.mark.asyncio
async def test_nest(harness_db):
    """A nested router behind a pattern ending in '$'."""
    from channels.routing import URLRouter
    from django.urls import path, re_path

    from harness.consumers.echo import EchoConsumer

    inner = URLRouter([path("echo/", EchoConsumer.as_asgi())])
    assert await connect([re_path(r"^ws/$", inner)], "/ws/echo/")

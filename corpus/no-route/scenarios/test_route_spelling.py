"""Routes written so that URLRouter can never match the path the test connects to."""

import pytest
from channels.testing import WebsocketCommunicator


async def connect(routes, path):
    from channels.routing import URLRouter

    communicator = WebsocketCommunicator(URLRouter(routes), path)
    connected, _ = await communicator.connect()
    return connected


@pytest.mark.asyncio
async def test_route_with_a_leading_slash(harness_db):
    from django.urls import path

    from harness.consumers.echo import EchoConsumer

    assert await connect([path("/ws/echo/", EchoConsumer.as_asgi())], "/ws/echo/")


@pytest.mark.asyncio
async def test_regex_given_to_path(harness_db):
    from django.urls import path

    from harness.consumers.echo import EchoConsumer

    assert await connect([path(r"^ws/echo/$", EchoConsumer.as_asgi())], "/ws/echo/")


@pytest.mark.asyncio
async def test_nested_router_behind_a_dollar(harness_db):
    from channels.routing import URLRouter
    from django.urls import path, re_path

    from harness.consumers.echo import EchoConsumer

    inner = URLRouter([path("echo/", EchoConsumer.as_asgi())])
    assert await connect([re_path(r"^ws/$", inner)], "/ws/echo/")

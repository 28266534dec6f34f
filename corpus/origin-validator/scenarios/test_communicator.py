"""A suite that connects WebsocketCommunicator to the production stack without an Origin,
written the ways users write it: `assert connected`, and a comparison with (True, None)."""

import pytest
from channels.testing import WebsocketCommunicator


@pytest.fixture
def application(harness_db):
    from harness.stacks import production_stack

    return production_stack()


@pytest.mark.asyncio
async def test_echo_connects(application):
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    connected, _ = await communicator.connect()
    assert connected


@pytest.mark.asyncio
async def test_echo_message(application):
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    connected, subprotocol = await communicator.connect(timeout=5)
    assert connected, "could not connect"


@pytest.mark.asyncio
async def test_result(application):
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    assert await communicator.connect() == (True, None)

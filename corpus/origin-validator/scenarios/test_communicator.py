"""A suite that connects WebsocketCommunicator to the production stack without an Origin,
written the ways users write it: `assert connected`, and a comparison with (True, None).
(Each test disconnects in `finally`, so no application task outlives its loop on any
pytest-asyncio version.)"""

import pytest
from channels.testing import WebsocketCommunicator


@pytest.fixture
def application(harness_db):
    from harness.stacks import production_stack

    return production_stack()


@pytest.mark.asyncio
async def test_echo_connects(application):
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    try:
        connected, _ = await communicator.connect()
        assert connected
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_echo_message(application):
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    try:
        connected, subprotocol = await communicator.connect(timeout=5)
        assert connected, "could not connect"
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_result(application):
    communicator = WebsocketCommunicator(application, "/ws/echo/")
    try:
        assert await communicator.connect() == (True, None)
    finally:
        await communicator.disconnect()

"""The project's routes are right; the path the test connects to is not."""

import pytest
from channels.testing import ApplicationCommunicator


@pytest.mark.asyncio
async def test_missing_trailing_slash(harness_db):
    from harness import client

    communicator = client.communicator("/ws/echo")
    connected, _ = await communicator.connect()
    assert connected


@pytest.mark.asyncio
async def test_room_code_the_route_does_not_accept(harness_db):
    from harness import client

    communicator = client.communicator("/ws/match/room 1/", user="alice")
    connected, _ = await communicator.connect()
    assert connected


@pytest.mark.asyncio
async def test_query_string_inside_a_hand_built_scope(harness_db):
    from harness.stacks import production_stack

    scope = {
        "type": "websocket",
        "path": "/ws/echo/?lang=en",
        "query_string": b"",
        "headers": [(b"origin", b"http://localhost")],
        "subprotocols": [],
    }
    communicator = ApplicationCommunicator(production_stack(), scope)
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output())["type"] == "websocket.accept"

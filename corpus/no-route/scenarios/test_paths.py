"""The project's routes are right; the path the test connects to is not.

Short test names: pytest's one-line summary (80 columns) then still shows the message.
"""

import pytest
from channels.testing import ApplicationCommunicator


@pytest.mark.asyncio
async def test_trail(harness_db):
    """The test path lacks the route's trailing '/'."""
    from harness import client

    communicator = client.communicator("/ws/echo")
    connected, _ = await communicator.connect()
    assert connected


@pytest.mark.asyncio
async def test_room(harness_db):
    """A room code with a space, which the match route refuses."""
    from harness import client

    communicator = client.communicator("/ws/match/room 1/", user="alice")
    connected, _ = await communicator.connect()
    assert connected


@pytest.mark.asyncio
async def test_query(harness_db):
    """A query string left inside a hand-built scope's "path"."""
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

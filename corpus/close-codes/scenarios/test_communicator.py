"""The consumer closed, and the test read from WebsocketCommunicator as if it had sent a frame.

``receive_from`` / ``receive_json_from`` take the next ASGI message and assert it is a
``websocket.send``; a ``websocket.close`` fails that assert (channels >= 4.2 names both types).
Short test names: pytest's one-line summary then still shows the message.
"""

import pytest
from channels.testing import WebsocketCommunicator


@pytest.mark.asyncio
async def test_recv(harness_db):
    from closing_asgi import closing_router

    communicator = WebsocketCommunicator(closing_router(), "/ws/close/code-4000/")
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    try:
        assert await communicator.receive_from(timeout=5) == "welcome"
    finally:
        await communicator.disconnect(timeout=5)


@pytest.mark.asyncio
async def test_json(harness_db):
    from closing_asgi import closing_router

    communicator = WebsocketCommunicator(closing_router(), "/ws/close/enum/")
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    try:
        assert await communicator.receive_json_from(timeout=5) == {"type": "welcome"}
    finally:
        await communicator.disconnect(timeout=5)

# kb-corpus: channels >= 4.1
"""A server mounted under a prefix (scope["root_path"]) hands over a path without the prefix.

channels >= 4.1's outermost URLRouter requires scope["path"] to start with root_path and refuses
it whole, leading '/' included. Short test names keep pytest's one-line summary readable.
"""

import pytest
from channels.testing import ApplicationCommunicator


@pytest.mark.asyncio
async def test_prefix(harness_db):
    """root_path '/app' (daphne --root-path, Daphne-Root-Path), path '/ws/echo/'."""
    from harness.stacks import production_stack

    scope = {
        "type": "websocket",
        "path": "/ws/echo/",
        "root_path": "/app",
        "query_string": b"",
        "headers": [(b"origin", b"http://localhost")],
        "subprotocols": [],
    }
    communicator = ApplicationCommunicator(production_stack(), scope)
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output())["type"] == "websocket.accept"

# kb-corpus: channels >= 4.1
"""A root_path without its leading '/' (Daphne-Root-Path: appname, django/daphne#125).

The path carries the prefix, yet no path starts with 'appname', so channels >= 4.1's outermost
URLRouter refuses it whole, leading '/' included.
"""

import pytest
from channels.testing import ApplicationCommunicator


@pytest.mark.asyncio
async def test_appname(harness_db):
    """root_path 'appname', path '/appname/ws/echo/'."""
    from harness.stacks import production_stack

    scope = {
        "type": "websocket",
        "path": "/appname/ws/echo/",
        "root_path": "appname",
        "query_string": b"",
        "headers": [(b"origin", b"http://localhost")],
        "subprotocols": [],
    }
    communicator = ApplicationCommunicator(production_stack(), scope)
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output())["type"] == "websocket.accept"

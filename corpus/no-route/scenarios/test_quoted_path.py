"""A test path with a ' in it: the message is the path's repr(), printed in double quotes."""

import pytest


@pytest.mark.asyncio
async def test_quote(harness_db):
    from harness import client

    communicator = client.communicator("/ws/o'k/")
    connected, _ = await communicator.connect()
    assert connected

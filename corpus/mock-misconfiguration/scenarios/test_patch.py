"""patch("redis.asyncio.Redis"): the price stream keeps the real class, the Redis channel layer
gets the mock, and the consumer dies in its channel receive."""

from unittest.mock import patch

import pytest

from harness import client


@pytest.mark.asyncio
async def test_a(redis_layer):
    with patch("redis.asyncio.Redis"):
        comm = client.communicator("/ws/prices/")
        connected, _ = await comm.connect(timeout=5)
        assert connected
        await comm.send_json_to({"type": "subscribe", "symbol": "ACME"})
        assert await comm.receive_json_from(timeout=5) == {"type": "subscribed", "symbol": "ACME"}
        await comm.disconnect(timeout=5)

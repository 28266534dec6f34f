"""test_idle_layer.py fixed: the host dict says ``socket_timeout: None``."""

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer


@pytest.mark.asyncio
async def test_quiet(redis_url):
    layer = RedisChannelLayer(hosts=[{"address": redis_url, "socket_timeout": None}])
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "news"})
    try:
        assert await asyncio.wait_for(layer.receive(channel), 10) == {"type": "news"}
    finally:
        await layer.flush()

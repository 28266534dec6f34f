# kb-corpus: redis >= 8
"""The channel-layer setting most projects copy: the Redis URL as a plain string in ``hosts``.
On redis-py 8 every connection then reads with a 5 s timeout, and a ``receive()`` that waits
longer than that for a message raises ``redis.exceptions.TimeoutError``."""

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer


@pytest.mark.asyncio
async def test_quiet(redis_url):
    layer = RedisChannelLayer(hosts=[redis_url])
    channel = await layer.new_channel()

    async def send_later():
        await asyncio.sleep(6)  # stands for a quiet spell in production, not a synchronisation
        await layer.send(channel, {"type": "late.news"})

    sender = asyncio.create_task(send_later())
    try:
        assert await asyncio.wait_for(layer.receive(channel), 10) == {"type": "late.news"}
    finally:
        sender.cancel()
        await layer.flush()

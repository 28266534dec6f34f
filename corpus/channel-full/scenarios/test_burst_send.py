"""A burst test: more messages sent to one channel than it holds before anything reads it.

Both layers hold 100 messages per channel by default (``capacity``); the 101st ``send``
raises ``channels.exceptions.ChannelFull`` (the in-memory layer names the channel, channels-redis
does not).
"""

import pytest
from channels.layers import get_channel_layer

BURST = 150


async def send_burst(layer, channel: str) -> None:
    for number in range(BURST):
        await layer.send(channel, {"type": "notify", "number": number})


@pytest.mark.asyncio
async def test_notification_burst_memory(memory_layer):
    layer = get_channel_layer()
    await send_burst(layer, "notifications")
    received = [await layer.receive("notifications") for _ in range(BURST)]
    assert [message["number"] for message in received] == list(range(BURST))


@pytest.mark.asyncio
async def test_notification_burst_redis(redis_layer):
    layer = get_channel_layer()
    await send_burst(layer, "notifications")
    received = [await layer.receive("notifications") for _ in range(BURST)]
    assert [message["number"] for message in received] == list(range(BURST))

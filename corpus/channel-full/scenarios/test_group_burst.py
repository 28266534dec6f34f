"""A broadcast test: the test's own channel joins a group, the burst goes out, then it reads.

``group_send`` never raises ``ChannelFull``: a member whose channel is full loses the message
(the in-memory layer says nothing; channels-redis logs at INFO, which pytest does not show by
default). The test reads what arrived: the first 100 of 150.
"""

import asyncio
import uuid

import pytest
from channels.layers import get_channel_layer

BURST = 150


async def broadcast_and_collect(layer, wait_s: float = 1.0) -> list[dict]:
    group = f"scores-{uuid.uuid4().hex[:8]}"  # a group of its own: the test Redis is shared
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    for number in range(BURST):
        await layer.group_send(group, {"type": "score", "number": number})
    received = []
    while True:
        try:
            received.append(await asyncio.wait_for(layer.receive(channel), wait_s))
        except asyncio.TimeoutError:
            return received


@pytest.mark.asyncio
async def test_every_score_arrives_memory(memory_layer):
    received = await broadcast_and_collect(get_channel_layer())
    assert len(received) == BURST


@pytest.mark.asyncio
async def test_every_score_arrives_redis(redis_layer):
    received = await broadcast_and_collect(get_channel_layer())
    assert len(received) == BURST

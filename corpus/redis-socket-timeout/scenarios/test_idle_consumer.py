# kb-corpus: redis >= 8
"""A consumer on the Redis layer (plain-URL ``hosts``) that waits for a group message which
comes after a quiet spell: its own ``receive()`` on the layer times out first, the application
dies with redis-py's ``TimeoutError``, and the communicator re-raises it."""

import asyncio

import pytest
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings

from harness.client import communicator


@pytest.fixture
def plain_url_layer(harness_db, redis_url):
    saved = settings.CHANNEL_LAYERS
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_url]}}
    }
    channel_layers.backends.clear()
    yield
    settings.CHANNEL_LAYERS = saved
    channel_layers.backends.clear()


@pytest.mark.asyncio
async def test_pause(plain_url_layer):
    alice = communicator("/ws/match/corpus-idle/", user="alice")
    assert (await alice.connect(timeout=5))[0]
    await alice.send_json_to({"type": "join", "role": "player"})
    assert (await alice.receive_json_from(timeout=5))["type"] == "joined"
    assert (await alice.receive_json_from(timeout=5))["status"] == "waiting_for_opponent"

    async def opponent_joins_later():
        await asyncio.sleep(6)  # stands for a quiet spell, not a synchronisation
        await get_channel_layer().group_send(
            "match.corpus-idle", {"type": "room.event", "message": {"type": "status", "status": "waiting_for_ready"}}
        )

    later = asyncio.create_task(opponent_joins_later())
    try:
        assert (await alice.receive_json_from(timeout=10))["status"] == "waiting_for_ready"
    finally:
        later.cancel()

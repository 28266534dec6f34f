"""Test settings that point the Redis channel layer at a Redis that is not there: nothing
listens on the configured port (Redis not started in the test job), or the host name is the
production one (``redis``, a docker-compose service) that the test machine cannot resolve.
The first call that needs Redis fails with redis-py's ``ConnectionError``: in a consumer, its
own ``receive()`` on the layer (the handshake may still be accepted first: the error then
comes with the next message the test waits for); in a test, its ``group_send``."""

import socket

import pytest
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings

from harness.client import communicator


@pytest.fixture
def refused_port():
    """A TCP port bound but not listening: every connect to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def redis_layer_at(harness_db):
    saved = settings.CHANNEL_LAYERS

    def use(url):
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}
        }
        channel_layers.backends.clear()

    yield use
    settings.CHANNEL_LAYERS = saved
    channel_layers.backends.clear()


@pytest.mark.asyncio
async def test_join_without_redis(redis_layer_at, refused_port):
    redis_layer_at(f"redis://127.0.0.1:{refused_port}/0")
    alice = communicator("/ws/match/no-redis/", user="alice")
    assert (await alice.connect(timeout=5))[0]
    await alice.send_json_to({"type": "join", "role": "player"})
    assert (await alice.receive_json_from(timeout=5))["type"] == "joined"


@pytest.mark.asyncio
async def test_broadcast_to_production_host(redis_layer_at):
    redis_layer_at("redis://redis:6379/0")
    await get_channel_layer().group_send("lobby", {"type": "lobby.news", "text": "hello"})

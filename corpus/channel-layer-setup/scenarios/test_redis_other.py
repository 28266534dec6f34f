"""A Redis channel layer and no Redis, in two more set-ups: channels-redis' other backend,
``RedisPubSubChannelLayer``, on a port nothing listens on; and ``RedisChannelLayer`` on a host
name that resolves to two addresses (``localhost`` on most machines: ``::1`` and
``127.0.0.1``; this machine lists only ``127.0.0.1``, so the test's resolver gives both), where
asyncio raises one ``OSError('Multiple exceptions: ...')`` and redis-py words it without an
errno."""

import socket

import pytest
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings


@pytest.fixture
def refused_port():
    """A TCP port bound but not listening on 127.0.0.1: every connect to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def layer_at(harness_db):
    saved = settings.CHANNEL_LAYERS

    def use(backend, url):
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": backend, "CONFIG": {"hosts": [url]}}}
        channel_layers.backends.clear()

    yield use
    settings.CHANNEL_LAYERS = saved
    channel_layers.backends.clear()


@pytest.fixture
def localhost_two_addresses(monkeypatch):
    """``localhost`` as most machines resolve it: ``::1`` first, then ``127.0.0.1``."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host != "localhost":
            return real(host, port, family, type, proto, flags)
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.asyncio
async def test_pubsub_broadcast_without_redis(layer_at, refused_port):
    layer_at("channels_redis.pubsub.RedisPubSubChannelLayer", f"redis://127.0.0.1:{refused_port}/0")
    await get_channel_layer().group_send("lobby", {"type": "lobby.news", "text": "hello"})


@pytest.mark.asyncio
async def test_broadcast_to_localhost_without_redis(layer_at, refused_port, localhost_two_addresses):
    layer_at("channels_redis.core.RedisChannelLayer", f"redis://localhost:{refused_port}/0")
    await get_channel_layer().group_send("lobby", {"type": "lobby.news", "text": "hello"})

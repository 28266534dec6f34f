"""Failures that read like channel-layer-setup's and are not that cause (review-10, points 1 and
5): the test settings have a working in-memory channel layer, and a consumer's own Redis client
(a cache, a rate limiter) is refused; and a consumer instantiated and driven directly, never
through ``__call__``, that reads ``self.channel_name``. Giving the tests a ``CHANNEL_LAYERS``
fixes neither."""

import socket

import pytest
import redis.asyncio
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.testing import WebsocketCommunicator
from django.conf import settings


@pytest.fixture
def refused_port():
    """A TCP port bound but not listening: every connect to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


class CachedConsumer(AsyncJsonWebsocketConsumer):
    redis_url = ""

    async def connect(self):
        client = redis.asyncio.Redis.from_url(self.redis_url)
        try:
            await client.ping()
        finally:
            await client.aclose() if hasattr(client, "aclose") else await client.close()
        await self.accept()


class EchoConsumer(AsyncJsonWebsocketConsumer):
    async def receive_json(self, content, **kwargs):
        await self.send_json({"from": self.channel_name, **content})


@pytest.mark.asyncio
async def test_consumer_with_its_own_redis(harness_db, refused_port, monkeypatch):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    monkeypatch.setattr(CachedConsumer, "redis_url", f"redis://127.0.0.1:{refused_port}/0")
    client = WebsocketCommunicator(CachedConsumer.as_asgi(), "/ws/cached/")
    connected, _ = await client.connect(timeout=5)
    assert connected


@pytest.mark.asyncio
async def test_consumer_driven_directly(harness_db):
    consumer = EchoConsumer()
    sent = []

    async def send(message):
        sent.append(message)

    consumer.base_send = send
    await consumer.receive_json({"text": "hi"})
    assert sent

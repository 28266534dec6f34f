"""A consumer whose "rate limited" error goes through the same rate-limited send_message:
a burst over the limit recurses until RecursionError, which reaches the test at the next
receive (the application has died)."""

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import URLRouter
from django.urls import path

from harness.client import communicator
from harness.ratelimit import RateLimiter


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.limiter = RateLimiter(5, 60.0)
        await self.accept()

    async def receive_json(self, content, **kwargs):
        await self.send_message({"type": "echo", "text": content["text"]})

    async def send_message(self, message):
        if not self.limiter.hit(self.channel_name).allowed:
            await self.send_message({"type": "error", "code": "rate_limited"})
            return
        await self.send_json(message)


@pytest.fixture
def application(harness_db):
    from harness.stacks import production_stack

    return production_stack(URLRouter([path("ws/chat/", ChatConsumer.as_asgi())]))


@pytest.mark.asyncio
async def test_burst_is_rate_limited(application):
    comm = communicator("/ws/chat/", application=application)
    assert (await comm.connect())[0]
    for number in range(10):
        await comm.send_json_to({"text": f"message {number}"})
    replies = [await comm.receive_json_from() for _ in range(6)]
    assert replies[-1] == {"type": "error", "code": "rate_limited"}

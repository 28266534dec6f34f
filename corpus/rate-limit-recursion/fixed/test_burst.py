"""test_burst.py fixed: the refusal goes out past the limiter (``send_json``), not through
``send_message`` again."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from harness.ratelimit import RateLimiter


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.limiter = RateLimiter(5, 60.0)
        await self.accept()

    async def receive_json(self, content, **kwargs):
        await self.send_message({"type": "echo", "text": content["text"]})

    async def send_message(self, message):
        if not self.limiter.hit(self.channel_name).allowed:
            await self.send_json({"type": "error", "code": "rate_limited"})
            return
        await self.send_json(message)

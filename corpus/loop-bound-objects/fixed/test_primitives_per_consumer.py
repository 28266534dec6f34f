"""test_module_level_primitives.py and test_redis_client_at_import.py fixed: the lock is made per
consumer and the Redis client in the running loop, never at import."""

import asyncio
import os

import pytest
import redis.asyncio as aredis
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from harness.client import communicator


class SavingConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.save_lock = asyncio.Lock()  # made in the loop that uses it
        self.cache = aredis.Redis.from_url(os.environ["REDIS_URL"])
        await self.accept()

    async def receive_json(self, content):
        async with self.save_lock:
            await self.send_json({"score": int(await self.cache.get("score") or 0)})

    async def disconnect(self, code):
        await self.cache.aclose()


@pytest.mark.asyncio
async def test_score(harness_db):
    comm = communicator("/ws/echo/", application=SavingConsumer.as_asgi())
    assert (await comm.connect())[0]
    await comm.send_json_to({"type": "score"})
    assert "score" in await comm.receive_json_from()
    await comm.disconnect()

# kb-corpus: pytest-asyncio >= 0.24
"""A consumer that reads through an asyncio Redis client created when its module is imported."""

import os

import pytest
import pytest_asyncio
import redis.asyncio as aredis
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from harness.client import communicator

CACHE = aredis.Redis.from_url(os.environ["REDIS_URL"])  # one client for the whole process


class ScoreConsumer(AsyncJsonWebsocketConsumer):
    async def receive_json(self, content):
        await self.send_json({"score": int(await CACHE.get("score"))})


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def scores(harness_db):
    """Seeds the cache once per session (in the session's loop)."""
    await CACHE.set("score", 7)


@pytest.mark.asyncio  # the test's own loop
async def test_score_is_read_from_the_cache(scores):
    comm = communicator("/ws/echo/", application=ScoreConsumer.as_asgi())
    assert (await comm.connect())[0]
    await comm.send_json_to({"type": "score"})
    assert await comm.receive_json_from() == {"score": 7}
    await comm.disconnect()

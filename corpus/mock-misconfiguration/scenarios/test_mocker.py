"""pytest-mock's mocker.patch has the same trap: it patches the name where it is defined."""

import asyncio
from unittest.mock import AsyncMock

import pytest

from harness.prices import ConnectionManager


@pytest.mark.asyncio
async def test_a(mocker, redis_url):
    fake_redis = mocker.patch("redis.asyncio.Redis")
    manager = ConnectionManager(AsyncMock(), url=redis_url)
    await asyncio.wait_for(manager.subscribe("ACME"), 5)
    await asyncio.wait_for(manager.close(), 5)
    fake_redis.from_url.assert_called_once_with(redis_url)

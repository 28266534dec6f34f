"""AsyncMock() for the whole client: the synchronous pubsub() now returns a coroutine."""

import asyncio
from unittest.mock import AsyncMock

import pytest

from harness.prices import ConnectionManager


@pytest.mark.asyncio
async def test_a():
    mock_redis = AsyncMock()
    manager = ConnectionManager(AsyncMock(), client=mock_redis)
    await asyncio.wait_for(manager.subscribe("ACME"), 5)
    mock_redis.pubsub.return_value.subscribe.assert_awaited_once_with("prices:ACME")

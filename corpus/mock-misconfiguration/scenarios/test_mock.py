"""A plain Mock / MagicMock stands in for redis.asyncio.Redis where the code awaits it."""

import asyncio
from unittest.mock import AsyncMock, MagicMock, Mock

import pytest

from harness.prices import ConnectionManager


@pytest.mark.asyncio
async def test_a():
    manager = ConnectionManager(AsyncMock(), client=Mock())
    await asyncio.wait_for(manager.subscribe("ACME"), 5)


@pytest.mark.asyncio
async def test_b():
    manager = ConnectionManager(AsyncMock(), client=MagicMock())
    await asyncio.wait_for(manager.subscribe("ACME"), 5)

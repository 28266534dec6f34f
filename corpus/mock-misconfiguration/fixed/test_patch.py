"""test_patch.py, test_mocker.py and test_typo.py fixed: the name is patched where the code
looks it up (``harness.prices.Redis``), and the assertion is a real one."""

import asyncio
from unittest.mock import AsyncMock, patch

import pytest

from harness.prices import ConnectionManager


@pytest.mark.asyncio
async def test_patched_where_looked_up(redis_url):
    with patch("harness.prices.Redis") as fake_redis:
        manager = ConnectionManager(AsyncMock(), url=redis_url)
        await asyncio.wait_for(manager.subscribe("ACME"), 5)
    fake_redis.from_url.assert_called_once_with(redis_url)


def test_real_assertion():
    ws = AsyncMock()
    ws.send_json.assert_not_called()

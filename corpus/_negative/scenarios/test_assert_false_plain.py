"""Not origin-validator: a plain `assert False`-style failure in an async test with no
WebSocket connection in it."""

import pytest


async def is_ready(flags: dict) -> bool:
    return flags.get("ready", False)


@pytest.mark.asyncio
async def test_ready_flag():
    ready = await is_ready({"ready": False})
    assert ready

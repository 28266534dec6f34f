# kb-corpus: python >= 3.12
# kb-corpus: pytest-asyncio < 0.20.3
"""pytest-asyncio < 0.20.3 on CPython 3.12: its own get_event_loop() warns (pytest-asyncio#460)."""

import asyncio

import pytest


@pytest.mark.asyncio
async def test_any_async_test():
    await asyncio.sleep(0)

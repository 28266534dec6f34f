"""asyncio.run() inside an async test: pytest-asyncio already runs a loop in this thread."""

import asyncio

import pytest


async def answer():
    return 42


@pytest.mark.asyncio
async def test_a():
    assert asyncio.run(answer()) == 42

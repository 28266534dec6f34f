"""Uses the conftest's legacy client (``conftest_import/conftest.py``)."""

import asyncio

import pytest


@pytest.mark.asyncio
async def test_echo_with_conftest_client(daphne, legacy_connect):
    server = daphne()
    async with legacy_connect(f"{server.url}/ws/echo/", origin="http://localhost", open_timeout=5) as ws:
        await ws.send("hello")
        assert await asyncio.wait_for(ws.recv(), 5) == "hello"

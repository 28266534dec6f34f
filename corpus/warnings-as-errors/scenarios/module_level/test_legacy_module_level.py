"""The legacy client imported at the top of a test module, as most suites import (run by
``script_module_level.py``): on websockets >= 14 under ``filterwarnings = error`` the module
cannot be imported, so collection fails and no test runs."""

import asyncio

import pytest
from websockets.client import connect  # the legacy client: the name warns when read (14.0)


@pytest.mark.asyncio
async def test_echo_with_module_level_legacy_connect(daphne):
    server = daphne()
    async with connect(f"{server.url}/ws/echo/", origin="http://localhost", open_timeout=5) as ws:
        await ws.send("hello")
        assert await asyncio.wait_for(ws.recv(), 5) == "hello"

# kb-corpus: websockets >= 14
"""A test helper that imports the legacy package itself (``websockets.legacy.client``), first in
the process: the package's own module-level ``DeprecationWarning`` fails the test that runs the
import (only that one: Python imports a module once per process)."""

import pytest


@pytest.mark.asyncio
async def test_echo_with_legacy_package(daphne):
    from websockets.legacy.client import connect

    server = daphne()
    async with connect(f"{server.url}/ws/echo/", origin="http://localhost", open_timeout=5) as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"

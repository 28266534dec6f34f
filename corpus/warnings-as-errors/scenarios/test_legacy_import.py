# kb-corpus: websockets >= 14
"""Test helpers that import the legacy package itself (``websockets.legacy.client``): the
package's module-level ``DeprecationWarning`` fails **every** test that runs the import, not
only the first. Under ``error`` the warning is raised while ``websockets/legacy/__init__.py``
runs, so the import fails and Python does not keep the module (importlib's ``_load_unlocked``
removes it from ``sys.modules``); the next import runs it, and raises, again."""

import asyncio

import pytest


@pytest.mark.asyncio
async def test_echo_with_legacy_package(daphne):
    from websockets.legacy.client import connect

    server = daphne()
    async with connect(f"{server.url}/ws/echo/", origin="http://localhost", open_timeout=5) as ws:
        await ws.send("hello")
        assert await asyncio.wait_for(ws.recv(), 5) == "hello"


@pytest.mark.asyncio
async def test_refused_handshake_with_legacy_package(daphne):
    from websockets.exceptions import InvalidHandshake  # not deprecated
    from websockets.legacy.client import connect

    server = daphne()
    with pytest.raises(InvalidHandshake) as refused:  # no Origin: HTTP 403
        await connect(f"{server.url}/ws/echo/", open_timeout=5)
    assert refused.value.status_code == 403

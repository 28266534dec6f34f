# kb-corpus: websockets >= 14
"""A test of the legacy server's HTTP Basic Auth helper, imported from ``websockets.auth`` (the
old name of ``websockets.legacy.auth``). From websockets 14.0 ``websockets/auth.py`` imports the
legacy module with its warning silenced, then warns itself at import: under
``filterwarnings = error`` the test fails with ``websockets.auth, an alias for
websockets.legacy.auth, is deprecated``."""

import asyncio

import pytest


@pytest.mark.asyncio
async def test_basic_auth_checks_credentials():
    from websockets.auth import basic_auth_protocol_factory

    factory = basic_auth_protocol_factory(realm="test", credentials=("user", "secret"))
    check = factory.keywords["check_credentials"]
    assert await asyncio.wait_for(check("user", "secret"), 5) is True
    assert await asyncio.wait_for(check("user", "wrong"), 5) is False

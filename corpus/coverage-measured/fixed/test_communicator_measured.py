"""live_case.py fixed the way the write-up recommends first: the consumer is tested in process
with a communicator (coverage measures it), with the exact outcome asserted."""

import pytest

from harness.client import communicator


@pytest.mark.asyncio
async def test_echo(harness_db):
    conn = communicator("/ws/echo/")
    assert await conn.connect() == (True, None)
    await conn.send_to(text_data="hello")
    assert await conn.receive_from() == "hello"
    await conn.disconnect()

# kb-corpus: pytest >= 8.4
"""Strict mode: an async test without @pytest.mark.asyncio is not run by pytest-asyncio."""

from harness.client import communicator


async def test_echo_round_trip(harness_db):  # no @pytest.mark.asyncio
    comm = communicator("/ws/echo/")
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_json_from() == {"type": "ping"}
    await comm.disconnect()

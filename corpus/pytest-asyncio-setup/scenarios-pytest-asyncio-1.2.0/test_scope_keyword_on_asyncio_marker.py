# kb-corpus: pytest-asyncio >= 1.2
# kb-corpus: pytest-asyncio < 1.3
"""The 0.23 spelling of a wider test loop, @pytest.mark.asyncio(scope=...), on 0.24+.

The deprecation is raised from 0.24 on; 1.2.x raises it at setup (exit 1), 0.24-0.26 and 1.5
at collection (exit 2, which kb corpus does not capture), so this folder is captured on 1.2.0.
"""

import pytest

from harness.client import communicator


@pytest.mark.asyncio(scope="module")  # 0.24+: loop_scope="module"
async def test_echo_round_trip(harness_db):
    comm = communicator("/ws/echo/")
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_json_from() == {"type": "ping"}
    await comm.disconnect()

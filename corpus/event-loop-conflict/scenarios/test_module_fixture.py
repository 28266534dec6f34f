# kb-corpus: pytest-asyncio >= 0.24
"""The incident's shape: a module-scoped async fixture holds a connected consumer; the test,
in its own function-scoped loop, connects another one on the same cached Redis layer."""

import pytest
import pytest_asyncio

from harness.client import communicator
from harness.layers import channel_layer

ROOM = "/ws/match/corpus-module-fixture/"


@pytest.fixture(scope="module")
def redis_module_layer(harness_db, redis_url):
    with channel_layer("redis", redis_url):
        yield


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def first_player(redis_module_layer):
    comm = communicator(ROOM, user="alice")
    assert (await comm.connect())[0]
    await comm.send_json_to({"type": "join", "role": "player"})
    assert (await comm.receive_json_from())["type"] == "joined"
    yield comm
    await comm.disconnect()


@pytest.mark.asyncio
async def test_join(first_player):
    comm = communicator(ROOM, user="bob")
    assert (await comm.connect())[0]
    await comm.send_json_to({"type": "join", "role": "player"})
    assert (await comm.receive_json_from())["type"] == "joined"
    assert await comm.receive_json_from() == {"type": "status", "status": "waiting_for_ready"}
    await comm.disconnect()

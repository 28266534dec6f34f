# kb-corpus: pytest-asyncio >= 0.23
# kb-corpus: pytest-asyncio < 0.24
"""test_module_fixture.py as pytest-asyncio 0.23 spells it: ``loop_scope=`` does not exist yet
(a ``TypeError``), and a fixture's ``scope="module"`` is also its loop's scope. The fixture's
consumer waits in the module's loop, the test's in its own: the same RuntimeError."""

import pytest
import pytest_asyncio

from harness.client import communicator
from harness.layers import channel_layer

ROOM = "/ws/match/corpus-module-fixture-023/"


@pytest.fixture(scope="module")
def redis_module_layer(harness_db, redis_url):
    with channel_layer("redis", redis_url):
        yield


@pytest_asyncio.fixture(scope="module")
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

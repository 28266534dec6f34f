"""test_module_fixture.py fixed: the first player connects in each test's own loop (a
function-scoped fixture), so no consumer waits in another loop."""

import pytest
import pytest_asyncio

from harness.client import communicator

ROOM = "/ws/match/corpus-module-fixture/"


@pytest_asyncio.fixture
async def first_player(redis_layer):
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
    await comm.disconnect()

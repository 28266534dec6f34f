# kb-corpus: pytest-asyncio >= 0.24
"""A class-scoped async fixture: an observer stays connected for the class while each test
connects a player in the test's own loop."""

import pytest
import pytest_asyncio

from harness.client import communicator
from harness.layers import channel_layer

ROOM = "/ws/match/corpus-class-fixture/"


@pytest.fixture(scope="class")
def redis_class_layer(harness_db, redis_url):
    with channel_layer("redis", redis_url):
        yield


@pytest_asyncio.fixture(scope="class", loop_scope="class")
async def observer(redis_class_layer):
    comm = communicator(ROOM, user="carol")
    assert (await comm.connect())[0]
    await comm.send_json_to({"type": "join", "role": "observer"})
    assert (await comm.receive_json_from())["type"] == "joined"
    yield comm
    await comm.disconnect()


class TestRoom:
    @pytest.mark.asyncio
    async def test_join(self, observer):
        comm = communicator(ROOM, user="alice")
        assert (await comm.connect())[0]
        await comm.send_json_to({"type": "join", "role": "player"})
        assert (await comm.receive_json_from())["type"] == "joined"
        assert (await comm.receive_json_from())["type"] == "status"
        await comm.disconnect()

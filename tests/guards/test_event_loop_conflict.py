"""Guard for event-loop-conflict: what the entry claims about channels-redis stays true.

The cached Redis layer raises when consumers on two event loops receive at once, not when two
communicators share one loop; a disconnect (or a fresh layer) lets another loop receive; and
the harness's ``redis_layer`` fixture gives each test a layer no earlier loop has touched.
"""

import asyncio
import re

import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer

from harness import client

TWO_LOOPS = "Two event loops are trying to receive() on one channel layer at once!"
TIMEOUT = 10.0

pytestmark = pytest.mark.realserver


async def join(user: str, room: str):
    """A communicator for ``user`` that joined ``room`` as a player (read up to ``joined``)."""
    comm = client.communicator(f"/ws/match/{room}/", user=user)
    assert (await comm.connect(timeout=TIMEOUT))[0]
    await comm.send_json_to({"type": "join", "role": "player"})
    assert (await comm.receive_json_from(timeout=TIMEOUT))["type"] == "joined"
    return comm


async def next_status(comm) -> str:
    while True:
        message = await comm.receive_json_from(timeout=TIMEOUT)
        if message["type"] == "status":
            return message["status"]


@pytest.mark.asyncio
async def test_when_the_redis_layer_fixture_runs_then_the_layer_has_no_receive_loop(redis_layer):
    layer = get_channel_layer()
    assert isinstance(layer, RedisChannelLayer)
    assert (layer.receive_count, layer.receive_event_loop) == (0, None)


@pytest.mark.asyncio
async def test_when_two_communicators_share_one_loop_then_both_get_the_group_message(redis_layer):
    room = client.room_code("one-loop")
    alice = await join("alice", room)
    # alice's own status first: its broadcast is then over before bob joins the group
    assert await next_status(alice) == "waiting_for_opponent"
    bob = await join("bob", room)
    layer = get_channel_layer()
    await client.eventually(lambda: layer.receive_count == 2, TIMEOUT)
    assert layer.receive_event_loop is asyncio.get_running_loop()
    assert await next_status(bob) == "waiting_for_ready"
    assert await next_status(alice) == "waiting_for_ready"
    await asyncio.gather(alice.disconnect(timeout=TIMEOUT), bob.disconnect(timeout=TIMEOUT))
    await client.eventually(lambda: layer.receive_count == 0, TIMEOUT)


@pytest.mark.asyncio
async def test_when_a_consumer_waits_on_another_loop_then_this_loop_cannot_receive(
    redis_layer, other_loop
):
    room = client.room_code("two-loops")
    other_loop.run(join("alice", room))  # alice stays connected on the other loop
    layer = get_channel_layer()
    assert layer.receive_count == 1 and layer.receive_event_loop is not asyncio.get_running_loop()
    bob = client.communicator(f"/ws/match/{room}/", user="bob")
    assert (await bob.connect(timeout=TIMEOUT))[0]
    with pytest.raises(RuntimeError, match=re.escape(TWO_LOOPS)):
        await bob.wait(TIMEOUT)
    other_loop.close()  # cancels alice's consumer: its receive() leaves the layer
    assert (layer.receive_count, layer.receive_event_loop) == (0, None)


@pytest.mark.asyncio
async def test_when_the_other_loop_disconnected_and_ended_then_this_loop_receives(
    redis_layer, other_loop
):
    room = client.room_code("after-disconnect")
    alice = other_loop.run(join("alice", room))
    other_loop.run(alice.disconnect(timeout=TIMEOUT))
    other_loop.close()
    bob = await join("bob", room)
    assert await next_status(bob) == "waiting_for_opponent"  # alone: alice left properly
    await bob.disconnect(timeout=TIMEOUT)

"""Guard for entry readiness-race: a test acts only after a real readiness signal.

Two signals the harness relies on, each checked with the bad ordering forced:

- ``FeedConsumer`` joins its group before it accepts, so ``connect()`` returning is the signal
  that a ``group_send`` reaches the connection. With ``group_add`` held (``HeldLayer``),
  ``connect()`` does not return; the variant that accepts first returns and loses the message.
- The price stream's ``subscribed`` answer is *not* the signal that Redis has the subscription:
  with the SUBSCRIBE held on its way to Redis (``Relay``), the answer arrives while Redis counts
  no subscriber. ``harness.client.until_subscribers`` (PUBSUB NUMSUB) is the signal.

See context/readiness-race.md.
"""

import asyncio
import functools
import json
import uuid

import pytest
import pytest_asyncio
from channels.layers import channel_layers, get_channel_layer
from channels.routing import URLRouter
from django.urls import path

TIMEOUT = 5.0


@pytest.fixture
def name():
    """A group / symbol of this test's own: runs on other workers may share the Redis."""
    return f"T{uuid.uuid4().hex[:8]}"


def feed_app(consumer_class):
    from harness.stacks import production_stack

    return production_stack(URLRouter([path("ws/feed/<name>/", consumer_class.as_asgi())]))


@pytest.fixture(params=["memory", "redis"])
def layer_kind(request, harness_db):
    from harness.layers import channel_layer

    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    with channel_layer(request.param, url):
        yield request.param


@pytest.fixture
def held_group_add(layer_kind):
    from harness.holds import HeldLayer

    layer = get_channel_layer()
    held = HeldLayer(layer, "group_add", timeout=TIMEOUT)
    channel_layers.set("default", held)
    yield held
    held.release()
    channel_layers.set("default", layer)


async def connect_then_send(comm, held, group, item):
    """Start ``connect()``, wait until the consumer is inside ``group_add``, send to the group
    while it is held, then release it; returns whether connect() had returned before the send."""
    connecting = asyncio.ensure_future(comm.connect(timeout=TIMEOUT))
    await asyncio.wait_for(held.entered.wait(), TIMEOUT)
    done_before_send = connecting.done()
    await asyncio.wait_for(held.layer.group_send(group, {"type": "feed.event", "data": item}), TIMEOUT)
    held.release()
    connected, _ = await asyncio.wait_for(connecting, TIMEOUT)
    assert connected
    return done_before_send


@pytest.mark.asyncio
async def test_feed_joins_before_it_accepts(held_group_add, name):
    from harness.client import communicator
    from harness.consumers.feed import FeedConsumer

    comm = communicator(f"/ws/feed/{name}/", application=feed_app(FeedConsumer))
    assert (
        await connect_then_send(comm, held_group_add, f"feed.{name}", {"n": 0}) is False
    )  # connect() waited
    await asyncio.wait_for(
        held_group_add.layer.group_send(f"feed.{name}", {"type": "feed.event", "data": {"n": 1}}),
        TIMEOUT,
    )
    assert await comm.receive_json_from(timeout=TIMEOUT) == {"n": 1}
    assert await comm.receive_nothing(timeout=0.1)
    await comm.disconnect(timeout=TIMEOUT)


@pytest.mark.asyncio
async def test_accepting_first_loses_the_first_message(held_group_add, name):
    """The set-up can see the bug: the variant that accepts first returns from connect() while
    group_add is held, and the message sent then never arrives."""
    from harness.client import communicator, until_group_members
    from harness.consumers.feed import FeedConsumer

    class AcceptsFirst(FeedConsumer):
        async def connect(self):
            self.group = f"feed.{self.scope['url_route']['kwargs']['name']}"
            await self.accept()
            await self.channel_layer.group_add(self.group, self.channel_name)

    comm = communicator(f"/ws/feed/{name}/", application=feed_app(AcceptsFirst))
    # the same sequence as test_feed_joins_before_it_accepts: here connect() had returned
    assert await connect_then_send(comm, held_group_add, f"feed.{name}", {"n": 0}) is True
    await until_group_members(held_group_add.layer, f"feed.{name}", 1, timeout=TIMEOUT)
    await asyncio.wait_for(
        held_group_add.layer.group_send(f"feed.{name}", {"type": "feed.event", "data": {"n": 1}}),
        TIMEOUT,
    )
    assert await comm.receive_json_from(timeout=TIMEOUT) == {"n": 1}  # {"n": 0} vanished
    await comm.disconnect(timeout=TIMEOUT)


@pytest_asyncio.fixture
async def relay(redis_url):
    from harness.holds import Relay

    async with Relay(redis_url) as relay:
        relay.hold_from(b"SUBSCRIBE")
        yield relay


@pytest.mark.asyncio
async def test_publish_waits_for_redis_to_count_the_subscriber(harness_db, redis_url, relay, name):
    from redis.asyncio import Redis

    from harness.client import communicator, until_subscribers
    from harness.compat import aclose
    from harness.consumers.prices import PriceStreamConsumer
    from harness.prices import ConnectionManager
    from harness.stacks import production_stack

    class RelayedPrices(PriceStreamConsumer):
        manager_class = functools.partial(ConnectionManager, url=relay.url)

    app = production_stack(URLRouter([path("ws/prices/", RelayedPrices.as_asgi())]))
    probe = Redis.from_url(redis_url)
    channel = f"prices:{name}"
    price = {"symbol": name, "price": 101.5, "change": 0.5, "volume": 10}
    comm = communicator("/ws/prices/", application=app)
    try:
        assert (await comm.connect(timeout=TIMEOUT))[0]
        await comm.send_json_to({"type": "subscribe", "symbol": name})
        assert await comm.receive_json_from(timeout=TIMEOUT) == {
            "type": "subscribed",
            "symbol": name,
        }
        await asyncio.wait_for(relay.seen.wait(), TIMEOUT)  # the SUBSCRIBE was written and is held
        # the answer is no readiness signal: Redis has no subscriber yet
        assert await asyncio.wait_for(probe.pubsub_numsub(channel), TIMEOUT) == [
            (channel.encode(), 0)
        ]
        relay.release()
        await until_subscribers(probe, channel, 1, timeout=TIMEOUT)  # the signal
        assert await asyncio.wait_for(probe.publish(channel, json.dumps(price)), TIMEOUT) == 1
        assert await comm.receive_json_from(timeout=TIMEOUT) == {"type": "price", **price}
        await comm.disconnect(timeout=TIMEOUT)
    finally:
        await aclose(probe)

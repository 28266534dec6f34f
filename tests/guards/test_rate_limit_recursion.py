"""Guard for rate-limit-recursion: a burst over the price stream's limit yields one error per window.

The real ``PriceStreamConsumer`` runs behind the production stack over the communicator, fed by a
real Redis. Time is a ``ManualClock`` patched in where the consumer looks ``RateLimiter`` up, so a
window ends when the test says so, and the clock's read count (one per update) tells the test
that a burst has been handled: no sleeps.
"""

import asyncio
import sys
from functools import partial

import pytest
import pytest_asyncio
from channels.routing import URLRouter
from django.conf import settings
from django.urls import path
from redis.asyncio import Redis

from harness import client, protocol
from harness.compat import aclose
from harness.consumers.prices import PriceStreamConsumer
from harness.prices import ConnectionManager, channel_for, publish_price
from harness.ratelimit import RateLimiter
from harness.schemas import PriceUpdate

TIMEOUT = 10.0
LIMIT = 5
BURST = 12
RATE_LIMITED = protocol.error("rate_limited")


class ManualClock:
    """A clock for ``RateLimiter`` that moves only when told; counts how often it was read."""

    def __init__(self):
        self.now, self.reads = 0.0, 0

    def __call__(self):
        self.reads += 1
        return self.now

    def advance(self, seconds):
        self.now += seconds


class KeptManager(ConnectionManager):
    """A ConnectionManager that keeps its instances, so a test can release what they hold."""

    instances: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instances.append(self)


class RecursingPriceConsumer(PriceStreamConsumer):
    """The bug: the "rate limited" error is sent through the rate-limited path."""

    manager_class = KeptManager

    async def send_message(self, message):
        if not self.limiter.hit(self.channel_name).allowed:
            await self.send_message(RATE_LIMITED)
            return
        await self.send_json(message if isinstance(message, dict) else message.to_message())


@pytest.fixture
def clock(harness_db, redis_url, monkeypatch):
    """A ``ManualClock`` for the price stream's limiter, a small limit, and the test's Redis."""
    clock = ManualClock()
    monkeypatch.setattr(settings, "PRICE_REDIS_URL", redis_url)
    monkeypatch.setattr(PriceStreamConsumer, "UPDATE_LIMIT", LIMIT)
    monkeypatch.setattr("harness.consumers.prices.RateLimiter", partial(RateLimiter, clock=clock))
    return clock


@pytest_asyncio.fixture
async def probe(redis_url):
    connection = Redis.from_url(redis_url)
    yield connection
    await asyncio.wait_for(aclose(connection), TIMEOUT)


@pytest.fixture
def prices_app(harness_db):
    """Builds the production stack with a given consumer class on /ws/prices/."""
    # harness.stacks imports Django's auth models: imported once harness_db has set Django up.
    from harness.stacks import production_stack

    return lambda consumer_class: production_stack(
        URLRouter([path("ws/prices/", consumer_class.as_asgi())])
    )


async def subscribed(application, probe, symbol):
    comm = client.communicator("/ws/prices/", application=application)
    connected, _ = await comm.connect(timeout=TIMEOUT)
    assert connected
    await comm.send_json_to({"type": "subscribe", "symbol": symbol})
    assert await comm.receive_json_from(timeout=TIMEOUT) == {"type": "subscribed", "symbol": symbol}
    # "subscribed" goes out once SUBSCRIBE is written, not once Redis has read it
    await client.until_subscribers(probe, channel_for(symbol), 1, timeout=TIMEOUT)
    return comm


async def publish(probe, symbol, prices):
    for price in prices:
        update = PriceUpdate(symbol, float(price), 0.5, 10)
        assert await asyncio.wait_for(publish_price(probe, update), TIMEOUT) == 1
    return update


@pytest.mark.asyncio
async def test_when_a_burst_exceeds_the_limit_then_one_error_per_window_and_the_stream_goes_on(
    clock, probe, prices_app
):
    comm = await subscribed(prices_app(PriceStreamConsumer), probe, "BURST")
    windows, reads = [], 0
    for window in range(2):
        await publish(probe, "BURST", range(window * 100, window * 100 + BURST))
        reads += BURST
        await client.eventually(lambda n=reads: clock.reads == n, timeout=TIMEOUT)
        clock.advance(PriceStreamConsumer.UPDATE_WINDOW)
        first_of_next = (await publish(probe, "BURST", [1000 + window])).to_message()
        reads += 1  # the next window's first update
        got = []
        while (message := await comm.receive_json_from(timeout=TIMEOUT)) != first_of_next:
            got.append(message)
        windows.append(got)

    await comm.send_json_to({"type": "subscribe", "symbol": "OTHER"})
    assert await comm.receive_json_from(timeout=TIMEOUT) == {
        "type": "subscribed",
        "symbol": "OTHER",
    }
    await comm.disconnect(timeout=TIMEOUT)

    # Window 1: LIMIT prices, then one error. Window 2 began with the update that closed window 1,
    # so LIMIT - 1 prices of its burst, then one error. Everything else was dropped silently.
    assert [m["type"] for m in windows[0]] == ["price"] * LIMIT + ["error"]
    assert [m["type"] for m in windows[1]] == ["price"] * (LIMIT - 1) + ["error"]
    assert windows[0][-1] == windows[1][-1] == RATE_LIMITED
    assert [m["price"] for m in windows[0][:LIMIT]] == [float(p) for p in range(LIMIT)]


@pytest.mark.asyncio
async def test_when_the_error_goes_through_the_limiter_then_the_stream_dies_in_recursion(
    clock, probe, prices_app
):
    comm = await subscribed(prices_app(RecursingPriceConsumer), probe, "RECURSE")
    manager = KeptManager.instances[-1]
    try:
        await publish(probe, "RECURSE", range(LIMIT + 1))
        prices = [await comm.receive_json_from(timeout=TIMEOUT) for _ in range(LIMIT)]
        await client.eventually(lambda: manager.reader.done(), timeout=TIMEOUT)
        assert [m["type"] for m in prices] == ["price"] * LIMIT
        assert clock.reads > sys.getrecursionlimit() // 2  # one limiter hit per nested call
        with pytest.raises(RecursionError, match=r"^maximum recursion depth exceeded"):
            await comm.disconnect(timeout=TIMEOUT)
    finally:  # close() released them before its re-raise; not if the test failed before it
        await asyncio.wait_for(aclose(manager.pubsub), TIMEOUT)
        await asyncio.wait_for(aclose(manager.client), TIMEOUT)


@pytest.mark.asyncio
async def test_when_the_limit_is_reached_then_send_message_sends_without_recursing(clock):
    consumer = PriceStreamConsumer()
    consumer.channel_name = "guard.direct"
    consumer.limiter = RateLimiter(LIMIT, 1.0, clock=clock)
    sent = []

    async def send_json(content):
        sent.append(content)

    consumer.send_json = send_json
    for i in range(BURST):
        await asyncio.wait_for(
            consumer.send_message(PriceUpdate("ACME", float(i), 0.5, 1)), TIMEOUT
        )
    assert [m["type"] for m in sent] == ["price"] * LIMIT + ["error"]
    assert clock.reads == BURST

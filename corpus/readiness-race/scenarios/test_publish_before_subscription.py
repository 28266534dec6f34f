"""The price stream answers "subscribed" once SUBSCRIBE is written, not once Redis has read it:
a PUBLISH right after the answer can reach Redis first, find no subscriber, and the price is
lost. A relay holds the SUBSCRIBE on its way to Redis, the order a loaded machine leaves to chance."""

import asyncio
import json
import uuid

import pytest
import pytest_asyncio
from channels.routing import URLRouter
from django.urls import path
from redis.asyncio import Redis

from harness.client import communicator
from harness.compat import aclose
from harness.consumers.prices import PriceStreamConsumer
from harness.holds import Relay
from harness.prices import ConnectionManager


@pytest_asyncio.fixture
async def relay(redis_url):
    async with Relay(redis_url) as relay:
        relay.hold_from(b"SUBSCRIBE")
        yield relay


@pytest_asyncio.fixture
async def application(harness_db, relay):
    from harness.stacks import production_stack

    managers = []  # closed below: the receive timeout cancels the application before disconnect()

    def manager(deliver):
        managers.append(ConnectionManager(deliver, url=relay.url))
        return managers[-1]

    class RelayedPrices(PriceStreamConsumer):
        manager_class = staticmethod(manager)

    yield production_stack(URLRouter([path("ws/prices/", RelayedPrices.as_asgi())]))
    for each in managers:
        await asyncio.wait_for(each.close(), 5)


@pytest.mark.asyncio
async def test_first_price_reaches_the_client(application, redis_url, relay):
    symbol = f"T{uuid.uuid4().hex[:8]}"  # this run's own channel: runs may share one Redis
    price = {"symbol": symbol, "price": 101.5, "change": 0.5, "volume": 10}
    comm = communicator("/ws/prices/", application=application)
    assert (await comm.connect())[0]
    await comm.send_json_to({"type": "subscribe", "symbol": symbol})
    assert await comm.receive_json_from() == {"type": "subscribed", "symbol": symbol}
    await asyncio.wait_for(relay.seen.wait(), 5)  # the relay holds the consumer's SUBSCRIBE
    redis = Redis.from_url(redis_url)
    await asyncio.wait_for(redis.publish(f"prices:{symbol}", json.dumps(price)), 5)
    await aclose(redis)
    relay.release()  # the SUBSCRIBE reaches Redis now, after the price
    assert await comm.receive_json_from() == {"type": "price", **price}

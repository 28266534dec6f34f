"""harness.client: players join one after the other, numbered in that order; until_subscribers
waits for what Redis itself counts."""

import asyncio

import pytest

from harness import client

pytestmark = pytest.mark.asyncio


async def test_when_two_users_join_then_they_are_players_1_and_2_in_order(memory_layer):
    from harness.rooms import ROOMS

    room = client.room_code("join-players")
    players = await client.join_players(room, ("carol", "admin"), timeout=5)
    try:
        numbers = list(ROOMS.get(room).players.values())  # in join order
        assert len(players) == 2 and numbers == [1, 2]
        status = await players[0].receive_json_from(timeout=5)
        assert status == {"type": "status", "status": "waiting_for_opponent"}
    finally:
        for player in players:
            await player.disconnect(timeout=5)
    assert room not in ROOMS


async def test_until_subscribers_returns_once_redis_counts_them_and_times_out_otherwise(redis_url):
    from redis.asyncio import Redis

    from harness.compat import aclose

    probe, subscriber = Redis.from_url(redis_url), Redis.from_url(redis_url)
    pubsub = subscriber.pubsub()
    try:
        await asyncio.wait_for(pubsub.subscribe("prices:UNTIL"), 5)
        await client.until_subscribers(probe, "prices:UNTIL", 1, timeout=5)
        assert await asyncio.wait_for(probe.publish("prices:UNTIL", "x"), 5) == 1
        with pytest.raises(TimeoutError, match=r"condition still false after 0\.2 s"):
            await client.until_subscribers(probe, "prices:UNTIL", 2, timeout=0.2)
        await asyncio.wait_for(aclose(pubsub), 5)
        await client.until_subscribers(probe, "prices:UNTIL", 0, timeout=5)
    finally:
        await asyncio.wait_for(aclose(pubsub), 5)
        for connection in (probe, subscriber):
            await asyncio.wait_for(aclose(connection), 5)

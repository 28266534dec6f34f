"""harness.client.join_players: players join one after the other, numbered in that order."""

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

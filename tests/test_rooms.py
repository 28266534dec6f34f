"""harness.rooms: joining, statuses, and removal that tolerates a room already gone."""

import pytest

from harness.rooms import RoomFull, RoomRegistry


def test_when_players_join_then_status_follows_the_match_lifecycle():
    rooms = RoomRegistry()
    room = rooms.join("r", "c1", "player")
    assert (room.players, room.status) == ({"c1": 1}, "waiting_for_opponent")
    rooms.join("r", "c2", "player")
    assert room.status == "waiting_for_ready"
    room.started = True
    assert room.status == "playing"


def test_when_a_third_player_joins_then_room_full_and_observers_still_welcome():
    rooms = RoomRegistry()
    rooms.join("r", "c1", "player")
    rooms.join("r", "c2", "player")
    with pytest.raises(RoomFull):
        rooms.join("r", "c3", "player")
    assert "c3" in rooms.join("r", "c3", "observer").observers


def test_when_the_last_member_leaves_then_the_room_is_dropped():
    rooms = RoomRegistry()
    rooms.join("r", "c1", "player")
    rooms.join("r", "c2", "observer")
    assert rooms.leave("r", "c1") is not None
    assert rooms.leave("r", "c2") is None
    assert "r" not in rooms


def test_when_leave_is_called_for_a_room_already_dropped_then_no_key_error():
    rooms = RoomRegistry()
    rooms.join("r", "c1", "player")
    assert rooms.leave("r", "c1") is None
    assert rooms.leave("r", "c1") is None  # a second, concurrent disconnect handler


def test_when_a_player_leaves_then_the_freed_number_is_reused():
    rooms = RoomRegistry()
    rooms.join("r", "c1", "player")
    rooms.join("r", "c2", "player")
    rooms.leave("r", "c1")
    assert rooms.join("r", "c3", "player").players["c3"] == 1

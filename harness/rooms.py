"""Match rooms: who plays, who watches, who is ready, where the paddles are."""

from dataclasses import dataclass, field

from . import protocol


class RoomFull(Exception):
    pass


@dataclass
class Room:
    code: str
    players: dict[str, int] = field(default_factory=dict)  # channel name -> player number
    observers: set[str] = field(default_factory=set)
    ready: set[str] = field(default_factory=set)
    positions: dict[int, float] = field(default_factory=lambda: {1: 50.0, 2: 50.0})
    started: bool = False

    @property
    def status(self) -> str:
        if self.started:
            return "playing"
        return protocol.STATUSES[0] if len(self.players) < 2 else protocol.STATUSES[1]

    @property
    def empty(self) -> bool:
        return not self.players and not self.observers

    def snapshot(self) -> dict:
        return {"type": "state", "positions": {str(n): y for n, y in self.positions.items()}}


class RoomRegistry:
    """The rooms of one server process.

    Safe for any number of handlers on one event loop because no method awaits: each runs to
    completion between two awaits of its caller, and removal uses ``pop(code, None)``.
    Not shared between processes: what must cross processes goes through channel-layer groups.
    """

    def __init__(self):
        self._rooms: dict[str, Room] = {}

    def __contains__(self, code: str) -> bool:
        return code in self._rooms

    def __len__(self) -> int:
        return len(self._rooms)

    def get(self, code: str) -> Room | None:
        return self._rooms.get(code)

    def join(self, code: str, channel: str, role: str) -> Room:
        room = self._rooms.setdefault(code, Room(code))
        if role == "observer":
            room.observers.add(channel)
        elif channel not in room.players:
            taken = set(room.players.values())
            free = [n for n in (1, 2) if n not in taken]
            if not free:
                raise RoomFull(code)
            room.players[channel] = free[0]
        return room

    def leave(self, code: str, channel: str) -> Room | None:
        """Remove ``channel``; drop the room when it empties. Returns the room if it lives on."""
        room = self._rooms.get(code)
        if room is None:
            return None
        room.players.pop(channel, None)
        room.observers.discard(channel)
        room.ready.discard(channel)
        if room.empty:
            self._rooms.pop(code, None)
            return None
        return room

    def clear(self) -> None:
        self._rooms.clear()


ROOMS = RoomRegistry()

import asyncio

from ..aio import cancel_and_wait
from ..protocol import CloseCode
from ..ratelimit import RateLimiter
from ..rooms import ROOMS, RoomFull
from . import connect_calls
from .base import JsonProtocolConsumer


class MatchConsumer(JsonProtocolConsumer):
    """A two-player match room at ``/ws/match/<room>/``; needs an authenticated user (4001).

    Client messages: ``join`` (``role``: "player" | "observer"), ``ready``, ``move``
    (``direction``: "up" | "down"), ``say`` (``text``), ``reset`` (staff only), ``pong``,
    ``leave`` (closes with 4000). Everyone who joined receives ``status``, ``state`` and
    ``said`` broadcasts through the channel layer group ``match.<room>``.

    Heartbeat: a ``ping`` every ``HEARTBEAT_INTERVAL`` seconds; a client silent for
    ``HEARTBEAT_TIMEOUT`` seconds is closed with 4008 at the next tick. Rate limit: at most
    ``RATE_LIMIT`` frames per user per ``RATE_WINDOW`` seconds, shared by the user's
    connections; one ``rate_limited`` error per window, excess frames are dropped.
    """

    HEARTBEAT_INTERVAL = 25
    HEARTBEAT_TIMEOUT = 60
    RATE_LIMIT = 20
    RATE_WINDOW = 1.0
    STEP = 5.0
    handled_types = ("join", "ready", "move", "say", "reset", "pong", "leave")
    rooms = ROOMS
    _limiters: dict[tuple, RateLimiter] = {}  # process-wide: the limit is per user

    @property
    def limiter(self) -> RateLimiter:
        """The process's limiter for the current ``RATE_LIMIT``/``RATE_WINDOW`` (patchable)."""
        key = (self.RATE_LIMIT, self.RATE_WINDOW)
        return self._limiters.setdefault(key, RateLimiter(*key))

    async def connect(self):
        connect_calls["match"] += 1
        self.user = self.scope["user"]
        self.room_code = self.scope["url_route"]["kwargs"]["room"]
        self.group = f"match.{self.room_code}"
        self.role = None
        self.heartbeat = None
        await self.accept()
        if not self.user.is_authenticated:
            await self.close(code=CloseCode.UNAUTHENTICATED)
            return
        self.last_seen = asyncio.get_running_loop().time()
        self.heartbeat = asyncio.create_task(self.heartbeat_loop())

    async def disconnect(self, code):
        await cancel_and_wait(self.heartbeat)
        if self.role is None:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        room = self.rooms.leave(self.room_code, self.channel_name)
        if room is not None:
            await self.broadcast({"type": "status", "status": room.status})

    async def heartbeat_loop(self):
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.HEARTBEAT_INTERVAL)
            if loop.time() - self.last_seen >= self.HEARTBEAT_TIMEOUT:
                await self.close(code=CloseCode.HEARTBEAT_TIMEOUT)
                return
            await self.send_json({"type": "ping"})

    async def receive(self, text_data=None, bytes_data=None):
        if not self.user.is_authenticated:
            return
        self.last_seen = asyncio.get_running_loop().time()
        decision = self.limiter.hit(self.user.pk)
        if not decision.allowed:
            if decision.notify:
                await self.send_error("rate_limited")
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data)

    async def broadcast(self, message: dict) -> None:
        await self.channel_layer.group_send(self.group, {"type": "room.event", "message": message})

    async def room_event(self, event):
        await self.send_json(event["message"])

    # Client messages

    async def on_join(self, message):
        role = message.get("role")
        if role not in ("player", "observer"):
            await self.send_error("bad_field", "'role' must be 'player' or 'observer'")
            return
        try:
            room = self.rooms.join(self.room_code, self.channel_name, role)
        except RoomFull:
            await self.send_error("room_full")
            return
        self.role = role
        await self.channel_layer.group_add(self.group, self.channel_name)
        joined = {"type": "joined", "role": role, "room": self.room_code}
        if role == "player":
            joined["player_num"] = room.players[self.channel_name]
        await self.send_json(joined)
        await self.broadcast({"type": "status", "status": room.status})

    async def on_ready(self, message):
        room = self.rooms.get(self.room_code)
        if room is None or self.channel_name not in room.players:
            await self.send_error("not_joined")
            return
        room.ready.add(self.channel_name)
        if not room.started and len(room.players) == 2 and room.ready >= set(room.players):
            room.started = True
            await self.broadcast({"type": "status", "status": room.status})
            await self.broadcast(room.snapshot())

    async def on_move(self, message):
        room = self.rooms.get(self.room_code)
        if room is None or self.channel_name not in room.players or not room.started:
            await self.send_error("not_joined", "only players of a started match can move")
            return
        step = {"up": -self.STEP, "down": self.STEP}.get(message.get("direction"))
        if step is None:
            await self.send_error("bad_field", "'direction' must be 'up' or 'down'")
            return
        number = room.players[self.channel_name]
        room.positions[number] = min(100.0, max(0.0, room.positions[number] + step))
        await self.broadcast(room.snapshot())

    async def on_say(self, message):
        text = message.get("text")
        if self.role is None:
            await self.send_error("not_joined")
        elif not isinstance(text, str):
            await self.send_error("bad_field", "'text' must be a string")
        else:
            await self.broadcast({"type": "said", "user": self.user.get_username(), "text": text})

    async def on_reset(self, message):
        if not self.user.is_staff:
            await self.send_error("forbidden", "'reset' needs a staff user")
            return
        room = self.rooms.get(self.room_code)
        if room is None:
            await self.send_error("not_joined")
            return
        room.positions = {1: 50.0, 2: 50.0}
        await self.broadcast(room.snapshot())

    async def on_pong(self, message):
        pass  # receive() already recorded that the client is alive

    async def on_leave(self, message):
        await self.close(code=CloseCode.LEFT)

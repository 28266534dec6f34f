"""racy_asgi.py's consumer fixed: the room is removed in one step with no await between the
check and the delete (``dict.pop(key, None)``), then the group is left."""

from harness.consumers.match import MatchConsumer

ACTIVE_ROOMS = {}


class GameConsumer(MatchConsumer):
    async def connect(self):
        await super().connect()
        ACTIVE_ROOMS.setdefault(self.room_code, set()).add(self.channel_name)

    async def disconnect(self, code):
        room = ACTIVE_ROOMS.get(self.room_code, set())
        room.discard(self.channel_name)
        if not room:
            ACTIVE_ROOMS.pop(self.room_code, None)
        await self.channel_layer.group_discard(self.group, self.channel_name)

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import connect_calls


class FeedConsumer(AsyncJsonWebsocketConsumer):
    """Forwards every ``feed.event`` sent to the group ``feed.<name>`` (``/ws/feed/<name>/``).

    Joins the group *before* accepting: a client whose ``connect()`` has returned is a member,
    so a ``group_send`` right after it reaches this connection (context/readiness-race.md).
    """

    async def connect(self):
        connect_calls["feed"] += 1
        self.group = f"feed.{self.scope['url_route']['kwargs']['name']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def feed_event(self, event):
        await self.send_json(event["data"])

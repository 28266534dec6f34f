from channels.generic.websocket import AsyncWebsocketConsumer

from . import connect_calls


class EchoConsumer(AsyncWebsocketConsumer):
    """Accepts anyone and echoes every frame back.

    The smallest consumer there is: put it behind a stack to learn whether the stack or the
    application refuses a connection.
    """

    async def connect(self):
        connect_calls["echo"] += 1
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=text_data, bytes_data=bytes_data)

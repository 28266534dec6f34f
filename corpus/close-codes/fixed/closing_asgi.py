"""closing_asgi.py's enum closes fixed: the close code is an ``int`` (``int(AppCode.LEFT)``)."""

from enum import IntEnum
from http import HTTPStatus

from channels.generic.websocket import AsyncWebsocketConsumer


class AppCode(IntEnum):
    LEFT = 4000


class ClosingConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        if self.scope["url_route"]["kwargs"]["how"] == "enum":
            await self.close(code=int(AppCode.LEFT))
        else:
            await self.close(code=HTTPStatus.FORBIDDEN.value)

"""Not auth-middleware: a test that EXPECTED close code 4001 from a consumer and got another
close; the expected message is printed, not received."""

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from django.urls import path


class ClosesWith4003(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.close(code=4003)


@pytest.mark.asyncio
async def test_unauthenticated_close_code(harness_db):
    from harness.client import communicator

    comm = communicator("/ws/x/", application=URLRouter([path("ws/x/", ClosesWith4003.as_asgi())]))
    assert (await comm.connect())[0]
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4001}

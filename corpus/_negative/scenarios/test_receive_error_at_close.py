"""Not a room-cleanup race: a consumer's receive() fails (a row nobody created, a missing JSON key)
and the test sends, then disconnects without reading, so the error surfaces from the test's
communicator.disconnect() (channels/testing/websocket.py, `in disconnect`). No disconnect()
handler of the consumer is involved: room-cleanup-race's signatures must not claim it
(review 3 of item2, probe P1). Neither the file nor the test is named after disconnect:
room-cleanup-race's weak keyerror-in-disconnect-test goes by that name (a KeyError in a
`*disconnect*.py` file or a `*disconnect*` test), on purpose, for the forms that print no frame."""

import json

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path


class LookupConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        from django.contrib.auth.models import Group

        await Group.objects.aget(name=json.loads(text_data)["room"])


class ActionConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        json.loads(text_data)["action"]


@pytest.mark.asyncio
@pytest.mark.parametrize("consumer", [LookupConsumer, ActionConsumer])
async def test_send_then_close(harness_db, consumer):
    comm = WebsocketCommunicator(URLRouter([path("ws/x/", consumer.as_asgi())]), "/ws/x/")
    assert (await comm.connect(timeout=5))[0]
    await comm.send_to(text_data=json.dumps({"room": "never-made"}))
    await comm.disconnect(timeout=5)

"""A user created inside the test's transaction (what pytest-django's django_db does without
transaction=True) is invisible to the middleware's lookup from an async test: her valid token
comes out as AnonymousUser."""

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from django.db import transaction
from django.urls import path

from harness.client import communicator
from harness.tokens import issue_token


class WhoAmI(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.send(text_data=str(self.scope["user"]))


@pytest.fixture
def dora(harness_db):
    from django.contrib.auth import get_user_model

    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        yield get_user_model().objects.create_user("dora")
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.mark.asyncio
async def test_dora(dora):
    from harness.stacks import production_stack

    application = production_stack(URLRouter([path("ws/who/", WhoAmI.as_asgi())]))
    comm = communicator("/ws/who/", application=application, token=issue_token(dora.pk))
    assert (await comm.connect())[0]
    assert await comm.receive_from() == "dora"

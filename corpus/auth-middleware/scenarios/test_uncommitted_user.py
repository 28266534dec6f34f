"""A user created inside the test's transaction (what pytest-django's django_db does without
transaction=True) is invisible to the middleware's lookup from an async test: her valid token
comes out anonymous and the match room closes her with 4001."""

import pytest
from django.db import transaction

from harness.client import communicator
from harness.tokens import issue_token


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
async def test_new_player_joins(dora):
    comm = communicator("/ws/match/uncommitted/", token=issue_token(dora.pk))
    assert (await comm.connect())[0]
    await comm.send_json_to({"type": "join", "role": "player"})
    message = await comm.receive_output()
    assert message["type"] == "websocket.send", message

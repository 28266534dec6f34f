"""The sync-async-boundary scenarios fixed: the async test awaits (no asyncio.run, no
async_to_sync) and queries with the async ORM."""

import pytest
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model


async def answer():
    return 42


async def notify_room(room: str, text: str) -> None:
    await get_channel_layer().group_send(f"room_{room}", {"type": "chat.message", "text": text})


@pytest.mark.asyncio
async def test_run():
    assert await answer() == 42


@pytest.mark.asyncio
async def test_a2s(memory_layer):
    await notify_room("lobby", "hello")


@pytest.mark.asyncio
async def test_orm(harness_db):
    assert (await get_user_model().objects.aget(pk=1)).username == "alice"
    assert [user.username async for user in get_user_model().objects.all()]

"""A synchronous helper (as a signal handler or a sync view is written) that sends to a group
with async_to_sync, called from an async test."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def notify_room(room: str, text: str) -> None:
    async_to_sync(get_channel_layer().group_send)(f"room_{room}", {"type": "chat.message", "text": text})


@pytest.mark.asyncio
async def test_a(memory_layer):
    notify_room("lobby", "hello")

"""A look-alike of consumer-not-as-asgi whose cause is the opposite: ``as_asgi()`` *was* used.

A consumer on ``AsyncConsumer`` defines no ``__init__``; ``as_asgi(size=64)`` makes its ``app``
run ``cls(**initkwargs)`` (channels ``channels/consumer.py``, ``as_asgi``/``app``) at the first
connection, and ``object``'s constructor refuses the keyword: the same
``WorkerConsumer() takes no arguments`` as a class handed over without ``as_asgi()``, but raised
from ``channels/consumer.py``. The fix is an ``__init__`` that takes the keyword, not ``as_asgi()``.
"""

import pytest
from channels.consumer import AsyncConsumer
from channels.testing import WebsocketCommunicator


class WorkerConsumer(AsyncConsumer):
    async def websocket_connect(self, message):
        await self.send({"type": "websocket.accept"})


@pytest.mark.asyncio
async def test_kw(harness_db):
    """as_asgi() given an init keyword the consumer has no __init__ for."""
    communicator = WebsocketCommunicator(WorkerConsumer.as_asgi(size=64), "/ws/echo/")
    connected, _ = await communicator.connect(timeout=0.5)
    assert connected

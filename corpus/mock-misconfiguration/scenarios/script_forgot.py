"""A subscription that is called and never awaited, against an AsyncMock pub/sub.

Prints the RuntimeWarning Python emits for the dropped coroutine (as a server log or a script
shows it), then fails on the assertion that catches it. Exits non-zero.
"""

import asyncio
import gc
import warnings
from unittest.mock import AsyncMock, Mock

warnings.simplefilter("always")


class Manager:
    def __init__(self, client):
        self.client = client

    async def subscribe(self, channel):
        pubsub = self.client.pubsub()
        pubsub.subscribe(channel)  # BUG: no await


async def main():
    pubsub = AsyncMock()
    manager = Manager(Mock(**{"pubsub.return_value": pubsub}))
    await asyncio.wait_for(manager.subscribe("prices:ACME"), 5)
    gc.collect()
    pubsub.subscribe.assert_awaited_once_with("prices:ACME")


asyncio.run(main())

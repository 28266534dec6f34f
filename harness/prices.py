"""The price stream's connection manager: one Redis pub/sub subscription per connection.

``Redis`` is imported into this module, so a test replaces it with
``patch("harness.prices.Redis")``: patch where a name is looked up, not where it is defined.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable

from django.conf import settings
from redis.asyncio import Redis

from .aio import cancel_and_wait
from .compat import aclose
from .schemas import PriceUpdate

Deliver = Callable[[PriceUpdate], Awaitable[None]]


def channel_for(symbol: str) -> str:
    return f"prices:{symbol}"


async def publish_price(client: Redis, update: PriceUpdate) -> int:
    """Publish ``update``; returns how many Redis subscribers received it."""
    return await client.publish(channel_for(update.symbol), update.to_json())


class ConnectionManager:
    """Subscribes one connection to symbols and hands each update to ``deliver``.

    Owns a Redis client (built from ``url``, ``settings.PRICE_REDIS_URL`` by default, unless
    ``client`` is given) and a reader task; ``close()`` releases both.
    """

    def __init__(self, deliver: Deliver, *, client: Redis | None = None, url: str | None = None):
        self.deliver = deliver
        self.client = client if client is not None else Redis.from_url(url or settings.PRICE_REDIS_URL)
        self.pubsub = None
        self.symbols: set[str] = set()
        self.reader: asyncio.Task | None = None

    async def subscribe(self, symbol: str) -> None:
        if symbol in self.symbols:
            return
        if self.pubsub is None:
            self.pubsub = self.client.pubsub()
        await self.pubsub.subscribe(channel_for(symbol))
        self.symbols.add(symbol)
        if self.reader is None:
            self.reader = asyncio.create_task(self._read())

    async def unsubscribe(self, symbol: str) -> None:
        if symbol in self.symbols:
            self.symbols.discard(symbol)
            await self.pubsub.unsubscribe(channel_for(symbol))

    def stats(self) -> dict:
        return {"symbols": sorted(self.symbols), "reading": self.reader is not None and not self.reader.done()}

    async def _read(self) -> None:
        while True:
            message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None or message.get("type") != "message":
                continue
            try:
                update = PriceUpdate.from_json(message["data"])
            except (ValueError, KeyError, TypeError, json.JSONDecodeError):
                continue  # a malformed publication is dropped, the stream goes on
            await self.deliver(update)

    async def close(self) -> None:
        """Stop the reader and release the Redis connections, even when the reader had failed
        (its exception is re-raised after the connections are closed)."""
        try:
            await cancel_and_wait(self.reader)
        finally:
            self.reader = None
            try:
                if self.pubsub is not None:
                    await aclose(self.pubsub)
            finally:
                await aclose(self.client)

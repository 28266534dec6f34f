from .. import protocol
from ..prices import ConnectionManager
from ..ratelimit import RateLimiter
from ..schemas import PriceUpdate
from . import connect_calls
from .base import JsonProtocolConsumer


class PriceStreamConsumer(JsonProtocolConsumer):
    """Streams price updates from Redis pub/sub; anonymous users are welcome.

    Client: ``{"type": "subscribe" | "unsubscribe", "symbol": "ACME"}``.
    Server: ``{"type": "subscribed", "symbol"}``, ``{"type": "price", "symbol", "price",
    "change", "volume"}``, errors. Outgoing updates are limited to ``UPDATE_LIMIT`` per
    ``UPDATE_WINDOW`` seconds per connection.
    """

    UPDATE_LIMIT = 50
    UPDATE_WINDOW = 1.0
    handled_types = ("subscribe", "unsubscribe")
    manager_class = ConnectionManager

    async def connect(self):
        connect_calls["prices"] += 1
        self.limiter = RateLimiter(self.UPDATE_LIMIT, self.UPDATE_WINDOW)
        self.manager = self.manager_class(self.send_message)
        await self.accept()

    async def disconnect(self, code):
        manager = getattr(self, "manager", None)
        if manager is not None:
            await manager.close()

    async def on_subscribe(self, message):
        symbol = message.get("symbol")
        if not isinstance(symbol, str) or not symbol.isalnum() or len(symbol) > 12:
            await self.send_error("bad_field", "'symbol' must be 1-12 letters or digits")
            return
        await self.manager.subscribe(symbol)
        await self.send_json({"type": "subscribed", "symbol": symbol})

    async def on_unsubscribe(self, message):
        symbol = message.get("symbol")
        if isinstance(symbol, str):
            await self.manager.unsubscribe(symbol)

    async def send_message(self, update: PriceUpdate) -> None:
        """The rate-limited path, for price updates only.

        The "rate limited" error goes straight out through ``send_error``, once per window.
        Sending it through this limited path instead is what recursed in seed 004.
        """
        decision = self.limiter.hit(self.channel_name)
        if decision.allowed:
            await self.send_json(update.to_message())
        elif decision.notify:
            await self.send_json(protocol.error("rate_limited"))

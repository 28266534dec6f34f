"""Messages of the price stream. (Seed 004's tests imported a ``PriceUpdateMessage`` that had
been renamed to ``PriceUpdate``; see the ``mock-misconfiguration`` entry.)"""

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PriceUpdate:
    symbol: str
    price: float
    change: float
    volume: int

    def to_message(self) -> dict:
        return {"type": "price", **asdict(self)}

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> "PriceUpdate":
        data = json.loads(raw)
        return cls(
            symbol=str(data["symbol"]),
            price=float(data["price"]),
            change=float(data["change"]),
            volume=int(data["volume"]),
        )

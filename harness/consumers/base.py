"""The JSON-over-text protocol every harness route speaks (see ``harness.protocol``)."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

from .. import protocol
from ..protocol import CloseCode


class JsonProtocolConsumer(AsyncWebsocketConsumer):
    """Parses each frame and calls ``on_<type>(message)``; answers bad frames per ``protocol``.

    Oversized frames close with 4009; binary frames, invalid JSON, non-objects, a missing or
    unknown ``type`` get an error message and the connection stays open. Subclasses list the
    types they handle in ``handled_types``.
    """

    MAX_PAYLOAD_BYTES = protocol.MAX_PAYLOAD_BYTES
    handled_types: tuple[str, ...] = ()

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is not None:
            size = len(text_data.encode("utf-8", "surrogatepass"))
        else:
            size = len(bytes_data or b"")
        if size > self.MAX_PAYLOAD_BYTES:
            await self.close(code=CloseCode.PAYLOAD_TOO_LARGE)
            return
        if text_data is None:
            await self.send_error("binary_frame")
            return
        try:
            message = json.loads(text_data)
        except (ValueError, RecursionError):
            await self.send_error("invalid_json")
            return
        if not isinstance(message, dict):
            await self.send_error("not_an_object")
            return
        kind = message.get("type")
        if not isinstance(kind, str):
            await self.send_error("missing_type")
            return
        if kind not in self.handled_types:
            await self.send_error("unknown_type", f"unknown type {kind[:40]!r}")
            return
        await getattr(self, f"on_{kind}")(message)

    async def close(self, code=None, reason=None):
        # Autobahn (under Daphne) rejects any close code whose type is not exactly int, so an
        # IntEnum member such as CloseCode.LEFT would crash the consumer with a 1011 instead.
        await super().close(code=None if code is None else int(code), reason=reason)

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    async def send_error(self, code: str, detail: str = "") -> None:
        await self.send_json(protocol.error(code, detail))

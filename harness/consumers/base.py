"""The JSON-over-text protocol every harness route speaks (see ``harness.protocol``)."""

import json

from autobahn.exception import Disconnected
from channels.generic.websocket import AsyncWebsocketConsumer

from .. import protocol
from ..compat import close_arguments
from ..protocol import CloseCode


class JsonProtocolConsumer(AsyncWebsocketConsumer):
    """Parses each frame and calls ``on_<type>(message)``; answers bad frames per ``protocol``.

    Oversized frames close with 4009; binary frames, invalid JSON, non-objects, a missing or
    unknown ``type`` get an error message and the connection stays open. Subclasses list the
    types they handle in ``handled_types``.

    Sends that cannot be delivered are dropped, never raised: Daphne refuses a send on a
    socket that is closing (autobahn raises ``Disconnected``, channels#1820), and an exception
    would end the consumer before ``disconnect()`` runs, skipping its room and group clean-up.
    That happens after our ``close()`` (frames the client sent before it saw the close frame
    still arrive; they are ignored) and when the client's close frame has arrived but Daphne
    has not yet delivered ``websocket.disconnect`` (which then follows).
    """

    MAX_PAYLOAD_BYTES = protocol.MAX_PAYLOAD_BYTES
    handled_types: tuple[str, ...] = ()
    closing = False  # set by close()

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing:
            return  # the frame crossed our close frame on the wire
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
        self.closing = True
        # Autobahn (under Daphne) rejects any close code whose type is not exactly int, so an
        # IntEnum member such as CloseCode.LEFT would crash the consumer with a 1011 instead.
        await super().close(**close_arguments(code, reason))  # channels 4.0: no reason

    async def send(self, text_data=None, bytes_data=None, close=False):
        if self.closing:
            return  # see the class docstring: a send after close() would crash the consumer
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except Disconnected:
            self.closing = True  # the client is closing; websocket.disconnect follows

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    async def send_error(self, code: str, detail: str = "") -> None:
        await self.send_json(protocol.error(code, detail))

"""The one place where the harness bridges the versions it runs on (versions/sets.yaml).

The harness runs on every version set of `kb matrix`, down to Python 3.10, channels 4.0,
redis-py 4.6 and websockets 12. Each shim below names the release that made it necessary, so
it can go when that release leaves the matrix. Nowhere else does harness code branch on a
version.
"""

import asyncio
import inspect

from channels.generic.websocket import AsyncWebsocketConsumer

#: What ``asyncio.wait_for`` raises on a timeout: the builtin ``TimeoutError`` from Python
#: 3.11, ``asyncio.TimeoutError`` (a different class) on 3.10. Catch this, not the builtin.
WaitTimeout = asyncio.TimeoutError  # noqa: UP041 - the alias is the point on 3.10

#: channels 4.1 added ``reason=`` to ``AsyncWebsocketConsumer.close()``; 4.0 takes only ``code``.
CLOSE_TAKES_REASON = "reason" in inspect.signature(AsyncWebsocketConsumer.close).parameters


def close_arguments(code, reason) -> dict:
    """Keyword arguments for ``AsyncWebsocketConsumer.close``: ``reason`` is dropped on
    channels 4.0, which cannot send one (the close code still goes out)."""
    arguments = {"code": None if code is None else int(code)}
    if CLOSE_TAKES_REASON:
        arguments["reason"] = reason
    return arguments


async def aclose(client) -> None:
    """Close a redis-py asyncio client or pub/sub: ``aclose()`` from redis-py 5.0.1; before
    that the coroutine is ``close()``."""
    closer = getattr(client, "aclose", None) or client.close
    await closer()


def cancelled_from_outside(current: asyncio.Task | None, awaited: asyncio.Task) -> bool:
    """True when a ``CancelledError`` out of ``await awaited`` was meant for ``current``.

    ``Task.cancelling()`` (Python 3.11) says so exactly. On 3.10: if the awaited task ended
    cancelled, the error is its own; if it is still running, ``current`` was cancelled.
    """
    if current is None:
        return False
    cancelling = getattr(current, "cancelling", None)
    if cancelling is not None:
        return bool(cancelling())
    return not (awaited.done() and awaited.cancelled())


class _Barrier:
    """The part of ``asyncio.Barrier`` (Python 3.11) the harness uses: ``await wait()``
    returns once ``parties`` callers are waiting; then it resets for the next round."""

    def __init__(self, parties: int):
        self.parties = parties
        self._waiting = 0
        self._event = asyncio.Event()

    async def wait(self) -> None:
        event = self._event
        self._waiting += 1
        if self._waiting == self.parties:
            self._waiting, self._event = 0, asyncio.Event()
            event.set()
        else:
            await event.wait()


Barrier = getattr(asyncio, "Barrier", _Barrier)


def _handshake_refused() -> type[Exception]:
    import websockets.exceptions as errors
    from websockets.version import version

    if int(version.split(".")[0]) >= 14:
        return errors.InvalidStatus
    return errors.InvalidStatusCode


#: What ``websockets.connect`` raises when the server refuses the handshake (HTTP 403...):
#: ``InvalidStatus`` from websockets 14, whose new client ``connect`` is; before 14 ``connect``
#: is the legacy client, which raises ``InvalidStatusCode``. Both say
#: ``server rejected WebSocket connection: HTTP 403``.
HandshakeRefused = _handshake_refused()


def refused_status(error: Exception) -> int:
    """The HTTP status of a refused handshake, from either client's exception."""
    response = getattr(error, "response", None)
    return response.status_code if response is not None else error.status_code

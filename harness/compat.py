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


def _deadline():
    """``asyncio.timeout`` (Python 3.11); on 3.10 asgiref's vendored ``async_timeout``
    (``asgiref.timeout.timeout``), which cancels the block at the deadline the same way and
    raises ``asyncio.TimeoutError`` (``WaitTimeout``) only if that cancellation ended it."""
    if hasattr(asyncio, "timeout"):
        return asyncio.timeout
    from asgiref.timeout import timeout

    return timeout


#: ``async with deadline(seconds):``, on every Python of the matrix (see ``_deadline``).
deadline = _deadline()

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
    """Close a redis-py asyncio client or pub/sub: ``aclose()`` from redis-py 5.0.1. Before
    that, ``Redis.close()`` is the coroutine, and ``PubSub.close()`` is a plain method that
    returns ``reset()``'s coroutine: await ``reset()`` (what 5.0.1's ``aclose()`` does), which
    is also what an autospec'd mock of 4.x's PubSub can await."""
    from redis.asyncio.client import PubSub

    closer = getattr(client, "aclose", None)
    if closer is None:
        closer = client.reset if isinstance(client, PubSub) else client.close
    await closer()


async def await_cancelled(task: asyncio.Task) -> None:
    """Wait for ``task``, just cancelled, to finish: its own ``CancelledError`` is swallowed,
    one meant for the caller (being cancelled itself) is raised, any other exception of the
    task propagates.

    ``Task.cancelling()`` (Python 3.11) tells the two ``CancelledError``s apart after
    ``await task``. Python 3.10 has no such count, so there the task is awaited with
    ``asyncio.wait``, which raises only the caller's own cancellation.
    """
    current = asyncio.current_task()
    if current is not None and hasattr(current, "cancelling"):
        try:
            await task
        except asyncio.CancelledError:
            if current.cancelling():
                raise
        return
    await asyncio.wait([task])
    if not task.cancelled():
        task.result()


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


def _client():
    """websockets' asyncio client: the new one (``websockets.asyncio.client``, from 13.0;
    ``websockets.connect`` from 14.0), else the legacy one (12)."""
    try:
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus
    except ImportError:  # websockets 12
        from websockets.exceptions import InvalidStatusCode
        from websockets.legacy.client import connect

        return connect, InvalidStatusCode, True
    return connect, InvalidStatus, False


#: ``ws_connect(uri, origin=, open_timeout=, close_timeout=)``: the new asyncio client where
#: it exists (websockets >= 13), so every set sees one behaviour; ``HandshakeRefused`` is what
#: it raises when the server refuses the handshake: ``InvalidStatus``, or on websockets 12 the
#: legacy ``InvalidStatusCode``. Both say ``server rejected WebSocket connection: HTTP 403``.
ws_connect, HandshakeRefused, LEGACY_CLIENT = _client()


class LegacyConnection:
    """websockets 12: the legacy connection has no ``async with``; this adds it (closing on
    exit, as the new client does) and passes everything else through."""

    def __init__(self, ws):
        self._ws = ws

    def __getattr__(self, name):
        return getattr(self._ws, name)

    def __aiter__(self):
        return self._ws.__aiter__()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        await self._ws.close()


def refused_status(error: Exception) -> int:
    """The HTTP status of a refused handshake, from either client's exception."""
    response = getattr(error, "response", None)
    return response.status_code if response is not None else error.status_code


# Appended by the ver-b helper (entries room-cleanup-race, mock-misconfiguration): the
# ``async with`` deadline that Python 3.10 lacks.
def timeout(seconds: float):
    """``asyncio.timeout(seconds)`` (Python 3.11); on 3.10 ``async_timeout.timeout``, the same
    context manager, which redis-py requires on Python < 3.11.3. Like ``asyncio.timeout``, and
    unlike ``asyncio.wait_for``, it runs the body in the current task; on expiry it raises
    ``WaitTimeout``."""
    if hasattr(asyncio, "timeout"):
        return asyncio.timeout(seconds)
    import async_timeout  # Python 3.10 only; installed with redis-py there

    return async_timeout.timeout(seconds)


# Appended by the ver-b helper (entries no-current-event-loop, loop-bound-objects,
# mock-misconfiguration): pytest.ini options that older pytest-asyncio does not know.
def loop_scope_ini() -> str:
    """The pytest.ini lines that set pytest-asyncio's default loop scopes to ``function``, as far
    as the installed pytest-asyncio has them: ``asyncio_default_fixture_loop_scope`` from 0.24,
    ``asyncio_default_test_loop_scope`` from 0.26. Before that neither option exists (pytest
    warns "Unknown config option", an error under ``filterwarnings = error``) and every loop is
    function-scoped unless a test asks otherwise."""
    from importlib.metadata import version

    from packaging.version import Version

    installed = Version(version("pytest-asyncio"))
    lines = []
    if installed >= Version("0.24"):
        lines.append("asyncio_default_fixture_loop_scope = function\n")
    if installed >= Version("0.26"):
        lines.append("asyncio_default_test_loop_scope = function\n")
    return "".join(lines)

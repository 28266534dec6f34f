"""Test scaffolding that holds one side at a point, to force the order two sides run in.

``HeldLayer(layer, "group_add")`` wraps a channel layer: a call of that method waits, after
setting ``entered``, until ``release()``; every other attribute is the wrapped layer's.

``Relay(redis_url)`` listens on a Unix socket of its own (``relay.url``) and forwards bytes both
ways. ``hold_from(marker)`` stops forwarding client bytes from the first chunk that contains
``marker`` (e.g. ``b"SUBSCRIBE"``) until ``release()``: the client has written its command, the
server has not read it. ``seen`` is set when that chunk arrived, an event to wait on instead
of a sleep. Test scaffolding: one relay per test, closed with ``aclose()`` (or ``async with``).
"""

import asyncio
import contextlib
import os
import shutil
import tempfile
from urllib.parse import urlparse


class Relay:
    def __init__(self, target_url: str):
        self.target_url = target_url
        self.folder = tempfile.mkdtemp(prefix="harness-relay-")
        self.path = os.path.join(self.folder, "relay.sock")
        self.url = f"unix://{self.path}"
        self.marker: bytes | None = None
        self.seen = asyncio.Event()  # a client wrote a chunk holding ``marker``
        self.released = asyncio.Event()
        self.released.set()
        self._server = None
        self._tasks: set[asyncio.Task] = set()

    async def __aenter__(self) -> "Relay":
        self._server = await asyncio.start_unix_server(self._accept, path=self.path)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    def hold_from(self, marker: bytes) -> None:
        """Hold client bytes from the first chunk that contains ``marker`` until ``release()``."""
        self.marker = marker
        self.seen.clear()

    def release(self) -> None:
        self.marker = None
        self.released.set()

    async def _open_target(self):
        url = urlparse(self.target_url)
        if url.scheme == "unix":
            return await asyncio.open_unix_connection(url.path)
        return await asyncio.open_connection(url.hostname, url.port or 6379)

    async def _accept(self, reader, writer) -> None:
        target_reader, target_writer = await self._open_target()
        for task in (
            asyncio.create_task(self._pump(reader, target_writer, holding=True)),
            asyncio.create_task(self._pump(target_reader, writer, holding=False)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(self, reader, writer, *, holding: bool) -> None:
        try:
            while chunk := await reader.read(65536):
                if holding and self.marker is not None and self.marker in chunk:
                    self.released.clear()
                    self.seen.set()
                if holding:
                    await self.released.wait()
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def aclose(self) -> None:
        self.release()
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:  # from 3.12 this waits for the connections closed above
            await asyncio.wait_for(self._server.wait_closed(), 5.0)
        shutil.rmtree(self.folder, ignore_errors=True)


class HeldLayer:
    """``layer`` whose ``method`` waits at entry until ``release()`` (``entered`` is set there).

    Install it before the consumer starts (``channel_layers.set(alias, HeldLayer(...))``; a
    consumer fetches its layer once) and put the old one back afterwards.
    """

    def __init__(self, layer, method: str = "group_add", timeout: float = 10.0):
        self.layer = layer
        self.method = method
        self.timeout = timeout
        self.entered = asyncio.Event()
        self.opened = asyncio.Event()

    def release(self) -> None:
        self.opened.set()

    def __getattr__(self, name):
        attribute = getattr(self.layer, name)
        if name != self.method:
            return attribute

        async def held(*args, **kwargs):
            self.entered.set()
            await asyncio.wait_for(self.opened.wait(), self.timeout)
            return await attribute(*args, **kwargs)

        return held

"""Where Channels closes a Django ``TestCase``'s connection, under Django's own test runner.

Run from a copy of this folder: ``python -m django test runner_close_points --settings
harness.settings.test`` (the test database is a SQLite *file* beside this module: Django never
closes an in-memory one). Nothing is patched by the test. It collects
``probe_close_points.CloseProbe`` (the consumer walked through connect, a query, disconnect and a
query; it prints ``CHANNELS <version>`` and ``BROKE <step> ...``) and adds four probes, each in its
own ``TestCase`` (a closed connection stays closed until its class's transaction ends), each
printing ``CLOSE <probe> <first failed step> <module.Type>: <message>`` or ``CLOSE <probe> nowhere``:

- ``direct``: the test's own ``database_sync_to_async`` call (no communicator, no patch), then a query;
- ``quiet``: a consumer with no database code at all; the test sends a frame and queries at
  once (that query is queued on the test's thread before anything the consumer does), then waits
  for an event the consumer's ``receive()`` sets (``dispatch()`` has run everything it runs before
  the handler by then; no wall-clock window), then queries again;
- ``disconnect_plain``: a consumer whose ``disconnect()`` queries through plain ``sync_to_async``
  (no close of its own), so it fails only if something closed the connection before
  ``disconnect()`` ran;
- ``disconnect_plain_no_dispatch_close``: the same with ``channels.consumer.aclose_old_connections``
  (called by ``AsyncConsumer.dispatch`` before every handler, channels >= 4.2) replaced by a no-op;
  ``n/a`` where channels has no such call.
"""

from pathlib import Path

from django.conf import settings

settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(
    Path(__file__).with_name("test_file.sqlite3")
)

import asyncio  # noqa: E402
import contextlib  # noqa: E402
from unittest import mock  # noqa: E402

import channels.consumer  # noqa: E402
from asgiref.sync import sync_to_async  # noqa: E402
from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import URLRouter  # noqa: E402
from channels.testing import WebsocketCommunicator  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import TestCase  # noqa: E402
from django.urls import path  # noqa: E402
from probe_close_points import CloseProbe  # noqa: E402, F401 - the runner collects it from here


async def first_failure(steps) -> str:
    for step, call in steps:
        try:
            await call()
        except Exception as exc:  # noqa: BLE001 - reported, not handled
            return f"{step} {type(exc).__module__}.{type(exc).__name__}: {exc}"
    return "nowhere"


class Quiet(AsyncWebsocketConsumer):
    handled: asyncio.Event  # set by the test, in its own loop

    async def receive(self, text_data=None, bytes_data=None):
        Quiet.handled.set()  # no database code at all


class PlainQueryInDisconnect(AsyncWebsocketConsumer):
    async def disconnect(self, code):
        await sync_to_async(get_user_model().objects.count)()  # no close_old_connections of its own


def communicator(consumer) -> WebsocketCommunicator:
    return WebsocketCommunicator(URLRouter([path("ws/", consumer.as_asgi())]), "/ws/")


async def no_close():
    pass


class DirectCall(TestCase):
    async def test_direct(self):
        broke = await first_failure(
            [
                ("direct_call", database_sync_to_async(lambda: get_user_model().objects.count())),
                ("query_after_direct_call", get_user_model().objects.acount),
            ]
        )
        print(f"CLOSE direct {broke}", flush=True)


class QuietConsumer(TestCase):
    async def test_quiet(self):
        Quiet.handled = asyncio.Event()
        comm = communicator(Quiet)
        broke = await first_failure(
            [
                ("connect", lambda: comm.connect(timeout=5)),
                ("send_to", lambda: comm.send_to(text_data="x")),
                # send_to() does not yield: this query reaches the thread-sensitive executor first
                ("query_right_after_send_to", get_user_model().objects.acount),
                ("receive_handled", lambda: asyncio.wait_for(Quiet.handled.wait(), 30)),
                ("query_after_receive_handled", get_user_model().objects.acount),
            ]
        )
        with contextlib.suppress(Exception):  # clean-up only: the result is printed above
            await comm.disconnect(timeout=5)
        print(f"CLOSE quiet {broke}", flush=True)


class DisconnectPlain(TestCase):
    async def test_disconnect_plain(self):
        comm = communicator(PlainQueryInDisconnect)
        broke = await first_failure(
            [
                ("connect", lambda: comm.connect(timeout=5)),
                ("consumer_disconnect", lambda: comm.disconnect(timeout=5)),
            ]
        )
        print(f"CLOSE disconnect_plain {broke}", flush=True)


class DisconnectPlainNoDispatchClose(TestCase):
    async def test_disconnect_plain_no_dispatch_close(self):
        if not hasattr(channels.consumer, "aclose_old_connections"):
            print("CLOSE disconnect_plain_no_dispatch_close n/a", flush=True)
            return
        comm = communicator(PlainQueryInDisconnect)
        with mock.patch("channels.consumer.aclose_old_connections", no_close):
            broke = await first_failure(
                [
                    ("connect", lambda: comm.connect(timeout=5)),
                    ("consumer_disconnect", lambda: comm.disconnect(timeout=5)),
                ]
            )
        print(f"CLOSE disconnect_plain_no_dispatch_close {broke}", flush=True)

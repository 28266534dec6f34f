"""Guard for sync-async-boundary: nothing on the event loop calls the synchronous ORM.

Django's safety check stays on in tests (no ``DJANGO_ALLOW_ASYNC_UNSAFE``), so a synchronous
ORM call made on the loop fails loudly here instead of blocking the loop in production; the
harness's async code reaches the database with Django's async ORM methods or
``database_sync_to_async``, and its synchronous set-up runs in a worker thread.
"""

import ast
import asyncio
import os
import re
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from django.contrib.auth import get_user_model
from django.core.exceptions import SynchronousOnlyOperation
from django.urls import path

import harness
from harness import client
from harness.consumers.echo import EchoConsumer
from harness.seed import token_for

TIMEOUT = 10.0

#: the harness that runs, wherever it is installed (a checkout, or site-packages)
HARNESS = Path(harness.__file__).resolve().parent
ASYNC_UNSAFE = re.escape("You cannot call this from an async context - use a thread or sync_to_async.")


@database_sync_to_async
def username_of(pk: int) -> str:
    """Synchronous ORM code, run in a worker thread; old connections are closed around it."""
    return get_user_model().objects.get(pk=pk).username


class GreetingConsumer(EchoConsumer):
    """Greets the user named in the URL, read from the database off the event loop."""

    async def connect(self):
        self.name = await username_of(int(self.scope["url_route"]["kwargs"]["pk"]))
        await self.accept()
        await self.send(text_data=f"hello {self.name}")


def test_the_safety_check_is_on_in_tests():
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ


@pytest.mark.asyncio
async def test_when_sync_orm_runs_on_the_loop_then_django_refuses(harness_db):
    with pytest.raises(SynchronousOnlyOperation, match=ASYNC_UNSAFE):
        get_user_model().objects.get(pk=1)


@pytest.mark.asyncio
async def test_when_an_async_test_uses_the_async_orm_then_it_gets_the_user(harness_db):
    user = await get_user_model().objects.aget(pk=1)
    assert user.username == "alice"


@pytest.mark.asyncio
async def test_when_a_consumer_uses_database_sync_to_async_then_it_connects(memory_layer):
    app = URLRouter([path("ws/greet/<int:pk>/", GreetingConsumer.as_asgi())])
    comm = client.communicator("/ws/greet/2/", application=app, origin=None)
    assert await comm.connect(timeout=TIMEOUT) == (True, None)
    assert await comm.receive_from(timeout=TIMEOUT) == "hello bob"
    await comm.disconnect(timeout=TIMEOUT)


@pytest.mark.asyncio
async def test_when_the_middleware_authenticates_on_the_loop_then_the_orm_is_not_called_sync(
    harness_db,
):
    from harness.middleware import authenticate

    user, error = await asyncio.wait_for(authenticate(token_for("carol")), TIMEOUT)
    assert (user.username, error) == ("carol", None)


@pytest.mark.asyncio
async def test_when_run_sync_is_called_inside_a_running_loop_then_it_runs_in_a_thread(harness_db):
    from harness.bootstrap import run_sync

    asyncio.get_running_loop()  # a loop is running here, as in a notebook cell
    assert run_sync(lambda: get_user_model().objects.get(pk=4).is_staff) is True


def offences(source: str) -> list[str]:
    """Calls to ``asyncio.run``, imports of nest_asyncio, the ``DJANGO_ALLOW_ASYNC_UNSAFE`` name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and (node.func.value.id, node.func.attr) == ("asyncio", "run")
        ):
            found.append(f"line {node.lineno}: asyncio.run()")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
            if any(name.startswith("nest_asyncio") for name in names):
                found.append(f"line {node.lineno}: imports nest_asyncio")
        elif isinstance(node, ast.Constant) and node.value == "DJANGO_ALLOW_ASYNC_UNSAFE":
            found.append(f"line {node.lineno}: DJANGO_ALLOW_ASYNC_UNSAFE")
    return sorted(found, key=lambda hit: int(hit.split()[1].rstrip(":")))


def test_offences_finds_what_it_looks_for():
    source = (
        "import asyncio, os, nest_asyncio2\n"
        "os.environ['DJANGO_ALLOW_ASYNC_UNSAFE'] = '1'\n"
        "asyncio.run(main())\n"
        '"""Prose may say asyncio.run() fails in a notebook."""\n'
    )
    assert offences(source) == [
        "line 1: imports nest_asyncio",
        "line 2: DJANGO_ALLOW_ASYNC_UNSAFE",
        "line 3: asyncio.run()",
    ]


def test_no_harness_module_disables_the_check_or_nests_a_loop():
    """``asyncio.run`` in library code breaks every caller that already runs a loop (a kernel,
    an async test, a consumer); the env var and nest_asyncio hide the problem instead."""
    found = {
        str(module.relative_to(HARNESS.parent)): offences(module.read_text(encoding="utf-8"))
        for module in sorted(HARNESS.rglob("*.py"))
    }
    assert len(found) > 10, f"no harness modules found under {HARNESS}"
    assert {name: hits for name, hits in found.items() if hits} == {}


def async_to_sync_in_coroutines(source: str) -> list[str]:
    """``line: name`` for each ``async_to_sync(...)`` call written inside an ``async def``."""
    found = []
    for func in ast.walk(ast.parse(source)):
        if isinstance(func, ast.AsyncFunctionDef):
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "async_to_sync":
                    found.append(f"{node.lineno}: {func.name}")
    return found


def test_the_async_to_sync_scan_finds_what_it_looks_for():
    source = "async def f(layer):\n    async_to_sync(layer.group_send)('g', {})\n\ndef g(layer):\n    async_to_sync(layer.group_send)('g', {})\n"
    assert async_to_sync_in_coroutines(source) == ["2: f"]


def test_no_harness_coroutine_calls_async_to_sync():
    found = [
        f"{path.relative_to(HARNESS.parent)}:{hit}"
        for path in sorted(HARNESS.rglob("*.py"))
        for hit in async_to_sync_in_coroutines(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "async_to_sync inside async def (await the coroutine instead):\n" + "\n".join(found)


@pytest.mark.asyncio
async def test_when_a_sync_helper_sends_to_a_group_through_sync_to_async_then_the_group_gets_it(memory_layer):
    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    layer = get_channel_layer()

    def notify(text: str) -> None:
        async_to_sync(layer.group_send)("guard", {"type": "guard.message", "text": text})

    inbox = await asyncio.wait_for(layer.new_channel(), TIMEOUT)
    await asyncio.wait_for(layer.group_add("guard", inbox), TIMEOUT)
    await asyncio.wait_for(sync_to_async(notify)("hello"), TIMEOUT)
    assert await asyncio.wait_for(layer.receive(inbox), TIMEOUT) == {"type": "guard.message", "text": "hello"}
    with pytest.raises(RuntimeError, match=r"^You cannot use AsyncToSync in the same thread as an async event loop"):
        notify("from the loop's thread")

"""sync-async-boundary: ``asyncio.run()``, ``async_to_sync`` and the synchronous ORM where an
event loop already runs (an async test, an async consumer handler)."""

import ast

from ..context import dotted
from ..model import Rule

ENTRY = "sync-async-boundary"
RUNS_QUERY = {"get", "create", "get_or_create", "update_or_create", "count", "exists", "first", "last",
              "delete", "update", "bulk_create", "bulk_update", "aggregate", "latest", "earliest",
              "in_bulk", "values_list", "iterator"}
LAZY = {"all", "filter", "exclude", "order_by", "select_related", "prefetch_related", "values"}


def asyncio_run_in_async(ctx):
    for call in ctx.calls:
        if ctx.qual(call.func) == "asyncio.run" and ctx.in_async(call):
            yield call


def a2s_calls(ctx):
    return [c for c in ctx.calls if ctx.qual(c.func).rpartition(".")[2] == "async_to_sync"]


def async_to_sync_in_async(ctx):
    calls = a2s_calls(ctx)
    if not calls:
        return
    sync_helpers = {}
    for call in calls:
        func = ctx.function_of(call)
        parent = ctx.parents.get(call)
        if func is None or not (isinstance(parent, ast.Call) and parent.func is call):
            continue  # only async_to_sync(f)(...) runs f here; a wrapper kept for later does not
        if any("sync_to_async" in dotted(d.func if isinstance(d, ast.Call) else d) for d in func.decorator_list):
            continue  # the helper itself runs in a worker thread
        if isinstance(func, ast.AsyncFunctionDef):
            yield call, "called in an async function"
        elif ctx.class_of(func) is None:
            sync_helpers.setdefault(func.name, call)
    for call in ctx.calls:  # one level: an async function calls a sync helper that uses it
        name = call.func.id if isinstance(call.func, ast.Name) else None
        if name in sync_helpers and ctx.in_async(call):
            yield call, f"{name}() uses async_to_sync (line {sync_helpers[name].lineno})"


def objects_call(node) -> str | None:
    """``X.objects.<method>(...)`` -> method."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Attribute) \
            and node.func.value.attr == "objects":
        return node.func.attr
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        inner = node.func.value
        if isinstance(inner, ast.Call) and objects_call(inner) in LAZY:
            return node.func.attr
    return None


def sync_orm_in_async(ctx):
    for node in ctx.nodes:
        if isinstance(node, ast.Call) and objects_call(node) in RUNS_QUERY and ctx.in_async(node):
            parent = ctx.parents.get(node)
            if not isinstance(parent, ast.Await):
                yield node, f".{objects_call(node)}()"
        elif isinstance(node, (ast.For, ast.comprehension)) and not getattr(node, "is_async", 0):
            it = node.iter
            if objects_call(it) in LAZY and ctx.in_async(it) and not isinstance(ctx.parents.get(it), ast.Await):
                yield it, f"iterating .{objects_call(it)}()"


RULES = [
    Rule(code="KB300", needs=('asyncio',), entry=ENTRY, name="asyncio-run-in-async", check=asyncio_run_in_async,
         message="asyncio.run() inside an async function: a loop already runs in this thread "
                 "('cannot be called from a running event loop')",
         fix="await the coroutine",
         flags=("import asyncio\n\nasync def test_a():\n    assert asyncio.run(answer()) == 42\n",),
         passes=("async def test_a():\n    assert await answer() == 42\n",)),
    Rule(code="KB301", needs=('async_to_sync',), entry=ENTRY, name="async-to-sync-in-async", check=async_to_sync_in_async,
         message="async_to_sync where an event loop runs ('You cannot use AsyncToSync in the same thread "
                 "as an async event loop')",
         fix="await the coroutine there; from a sync helper that async code calls, make the helper async "
             "or call it through sync_to_async",
         flags=('''
from asgiref.sync import async_to_sync

def notify(layer):
    async_to_sync(layer.group_send)("room", {"type": "x"})

async def test_a(layer):
    notify(layer)
''',),
         passes=('''
async def notify(layer):
    await layer.group_send("room", {"type": "x"})

async def test_a(layer):
    await notify(layer)
''',)),
    Rule(code="KB302", needs=('objects',), entry=ENTRY, name="sync-orm-in-async", check=sync_orm_in_async,
         versions={"django": ">=3.0"},  # SynchronousOnlyOperation is new in Django 3.0
         message="a synchronous ORM query inside an async function (SynchronousOnlyOperation)",
         fix="use the async ORM (aget, acreate, acount, async for) or database_sync_to_async",
         fixes={"django": {"<4.1": "wrap the query in database_sync_to_async (channels) or sync_to_async: "
                                   "the async ORM (aget, acreate, ...) is new in Django 4.1"}},
         flags=("from django.contrib.auth.models import User\n\nasync def test_a():\n"
                "    assert User.objects.get(pk=1).username == 'alice'\n",),
         passes=("from django.contrib.auth.models import User\n\nasync def test_a():\n"
                 "    assert (await User.objects.aget(pk=1)).username == 'alice'\n",)),
]

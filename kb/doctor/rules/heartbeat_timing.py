"""heartbeat-timing: a cancelled task awaited bare in a consumer handler, and ``receive_nothing()``
asserted as proof of silence."""

import ast

from ..model import Rule

ENTRY = "heartbeat-timing"


def guarded(ctx, node) -> bool:
    """Inside a ``try`` that catches CancelledError (or everything), or ``contextlib.suppress``."""
    here = ctx.parents.get(node)
    while here is not None and not isinstance(here, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if isinstance(here, ast.Try):
            for handler in here.handlers:
                text = ctx.text(handler.type) if handler.type is not None else "BaseException"
                if "CancelledError" in text or "BaseException" in text:
                    return True
        if isinstance(here, (ast.With, ast.AsyncWith)) and "suppress" in ctx.text(here.items[0].context_expr):
            return True
        here = ctx.parents.get(here)
    return False


def bare_await_of_cancelled(ctx):
    for func in ctx.functions:
        if not isinstance(func, ast.AsyncFunctionDef) or ctx.class_of(func) is None or ctx.is_test(func) \
                or func.name == "disconnect" or not func.args.args or func.args.args[0].arg != "self":
            continue  # a consumer's handler (disconnect() may let the cancellation through)
        cancelled = {}
        for node in ctx.walk(func):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "cancel" \
                    and not node.args:
                cancelled[ctx.text(node.func.value)] = node.lineno
        if not cancelled:
            continue
        for node in ctx.walk(func):
            if isinstance(node, ast.Await) and ctx.text(node.value) in cancelled \
                    and node.lineno > cancelled[ctx.text(node.value)] and not guarded(ctx, node):
                yield node, ctx.text(node.value)


def receive_nothing_asserted(ctx):
    for node in ctx.nodes:
        if isinstance(node, ast.Assert):
            for sub in ctx.walk(node.test):
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) \
                        and sub.func.attr == "receive_nothing":
                    yield node
                    break


RULES = [
    Rule(code="KB170", needs=('.cancel(',), entry=ENTRY, name="bare-await-of-cancelled-task", check=bare_await_of_cancelled,
         message="a task cancelled and then awaited bare: its CancelledError escapes this handler, the "
                 "application ends cancelled, and the test's next communicator call raises it",
         fix="await it under contextlib.suppress(asyncio.CancelledError) (or try/except "
             "asyncio.CancelledError), only in disconnect() let the cancellation through",
         flags=('''
class C:
    async def on_leave(self, message):
        self.heartbeat.cancel()
        await self.heartbeat
''',),
         passes=('''
import asyncio
import contextlib

class C:
    async def on_leave(self, message):
        self.heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.heartbeat
''',)),
    Rule(code="KB171", needs=('receive_nothing',), entry=ENTRY, name="receive-nothing-asserted", check=receive_nothing_asserted,
         versions={"asgiref": "<3.9"},
         message="assert await communicator.receive_nothing(): before asgiref 3.9 it returns True for an "
                 "application that already ended (cancelled or crashed)",
         fix="assert what the application did (a close message, a reply) before the silence; on asgiref "
             ">= 3.9 receive_nothing() re-raises the application's error",
         flags=("async def test_a(conn):\n    assert await conn.receive_nothing()\n",),
         passes=("async def test_a(conn):\n    assert await conn.receive_output(timeout=1) == "
                 "{'type': 'websocket.close', 'code': 4000}\n",)),
]

"""loop-bound-objects: asyncio primitives and asyncio clients made at import time, which bind to
the first event loop that uses them."""

import ast

from ..model import Rule

ENTRY = "loop-bound-objects"
PRIMITIVES = {"asyncio.Lock", "asyncio.Event", "asyncio.Semaphore", "asyncio.BoundedSemaphore",
              "asyncio.Condition", "asyncio.Queue", "asyncio.LifoQueue", "asyncio.PriorityQueue",
              "asyncio.Barrier"}
CLIENTS = ("redis.asyncio.", "aioredis.", "redis.asyncio.client.", "httpx.AsyncClient", "aiohttp.ClientSession")


def module_level(ctx, want):
    for stmt in ctx.tree.body:
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Call):
            name = ctx.qual(value.func)
            if want(name):
                yield value, name


def primitives(ctx):
    yield from module_level(ctx, lambda name: name in PRIMITIVES)


def clients(ctx):
    yield from module_level(ctx, lambda name: name.startswith(CLIENTS) or name in ("aioredis.from_url",))


RULES = [
    Rule(code="KB190", needs=('asyncio',), entry=ENTRY, name="module-level-asyncio-primitive", check=primitives,
         message="an asyncio primitive made at import: it binds to the first loop that waits on it, and "
                 "a test in another loop fails ('is bound to a different event loop')",
         fix="make it per loop or per use (in the consumer, in a fixture, or lazily in the running loop)",
         flags=("import asyncio\n\nSAVE_LOCK = asyncio.Lock()\n",),
         passes=("import asyncio\n\nclass C:\n    async def connect(self):\n        self.lock = asyncio.Lock()\n",)),
    Rule(code="KB191", needs=('redis', 'httpx', 'aiohttp'), entry=ENTRY, name="module-level-asyncio-client", check=clients,
         message="an asyncio client made at import: its connections belong to the loop that first used "
                 "them ('attached to a different loop', 'Event loop is closed')",
         fix="create the client in the running loop (per consumer, or in a fixture with the tests' loop scope)",
         flags=("import redis.asyncio as aredis\n\nCACHE = aredis.Redis.from_url('redis://localhost')\n",),
         passes=("import redis.asyncio as aredis\n\nasync def cache():\n"
                 "    return aredis.Redis.from_url('redis://localhost')\n",)),
]

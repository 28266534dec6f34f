"""channel-full: a burst over a channel's capacity (100 by default) before anything reads it,
and channels-redis's ``channel_capacity`` copied to the in-memory layer."""

import ast

from ..context import constant
from ..model import Rule

ENTRY = "channel-full"
DEFAULT_CAPACITY = 100
SENDS = ("send", "group_send")


def loop_count(ctx, loop: ast.For) -> int | None:
    """N of ``for _ in range(N)`` (a literal or a module constant)."""
    it = loop.iter
    if isinstance(it, ast.Call) and ctx.last(it) == "range" and it.args:
        bound = it.args[-1] if len(it.args) == 1 else it.args[1]
        if isinstance(bound, ast.Name):
            bound = ctx.assigns.get(bound.id)
        value = constant(bound)
        return value if isinstance(value, int) else None
    return None


def is_layer_send(ctx, call: ast.Call) -> bool:
    """``layer.send(...)``/``group_send``, awaited or through ``async_to_sync(layer.send)``."""
    func = call.func
    if isinstance(func, ast.Call) and ctx.last(func) == "async_to_sync" and func.args:
        target = func.args[0]
        return isinstance(target, ast.Attribute) and target.attr in SENDS
    return isinstance(func, ast.Attribute) and func.attr in SENDS and isinstance(ctx.parents.get(call), ast.Await)


def bursts(ctx):
    if any(constant(n) in ("capacity", "channel_capacity") for n in ctx.nodes if isinstance(n, ast.Constant)):
        return  # the test sets a capacity of its own
    for loop in ctx.nodes:
        if isinstance(loop, ast.For) and (count := loop_count(ctx, loop)) and count > DEFAULT_CAPACITY:
            sends = [c for stmt in loop.body for c in ctx.walk(stmt)
                     if isinstance(c, ast.Call) and is_layer_send(ctx, c)]
            if sends:
                yield sends[0], f"{count} messages, {sends[0].func.attr if isinstance(sends[0].func, ast.Attribute) else 'send'}"


def in_memory_channel_capacity(ctx):
    for node in ctx.nodes:
        if not isinstance(node, ast.Dict):
            continue
        items = {constant(k): v for k, v in zip(node.keys, node.values, strict=False) if k is not None}
        backend = constant(items.get("BACKEND"))
        config = items.get("CONFIG")
        if isinstance(backend, str) and backend.endswith("InMemoryChannelLayer") and isinstance(config, ast.Dict) \
                and any(constant(k) == "channel_capacity" for k in config.keys):
            yield config


RULES = [
    Rule(code="KB120", needs=('range(',), entry=ENTRY, name="burst-over-capacity", check=bursts,
         message="a burst of more messages than a channel holds (capacity 100) before anything reads: "
                 "send raises ChannelFull, group_send drops the rest silently",
         fix="read while sending, or give the test settings' layer a capacity above the burst "
             "(CONFIG: {\"capacity\": 1000})",
         flags=("async def test_burst(layer):\n    for n in range(150):\n"
                "        await layer.send('notifications', {'type': 'notify', 'n': n})\n",),
         passes=("async def test_burst(layer):\n    for n in range(50):\n"
                 "        await layer.send('notifications', {'type': 'notify', 'n': n})\n",)),
    Rule(code="KB121", needs=('channel_capacity',), entry=ENTRY, name="in-memory-channel-capacity", check=in_memory_channel_capacity,
         message="channel_capacity given to InMemoryChannelLayer: channels 4.2+ fail at the first send or "
                 "receive (ValueError: too many values to unpack), earlier versions ignore it",
         fix="give the in-memory layer \"capacity\": N (channel_capacity per pattern works only on channels-redis)",
         flags=("CHANNEL_LAYERS = {'default': {'BACKEND': 'channels.layers.InMemoryChannelLayer',\n"
                "                             'CONFIG': {'channel_capacity': {'notify*': 1000}}}}\n",),
         passes=("CHANNEL_LAYERS = {'default': {'BACKEND': 'channels.layers.InMemoryChannelLayer',\n"
                 "                             'CONFIG': {'capacity': 1000}}}\n",)),
]

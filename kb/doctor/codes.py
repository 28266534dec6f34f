"""The rule codes: each entry owns a block of ten, ``KB<block>0``-``KB<block>9``.

The blocks were given in the entries' alphabetical order when ``kb doctor`` was written; a new
entry takes the next free block at the end (never a renumbering), so a code in a team's
``# kb: ignore[...]`` or ``[tool.kb.doctor]`` keeps its meaning. README, "kb doctor", lists it.
"""

#: entry id -> the first code of its block (the block is that number to that number + 9)
BLOCKS = {
    "async-test-database": 100,
    "auth-middleware": 110,
    "channel-full": 120,
    "close-codes": 130,
    "consumer-not-as-asgi": 140,
    "coverage-measured": 150,
    "event-loop-conflict": 160,
    "heartbeat-timing": 170,
    "live-server-testcase": 180,
    "loop-bound-objects": 190,
    "message-ordering": 200,
    "mock-misconfiguration": 210,
    "no-current-event-loop": 220,
    "no-route": 230,
    "origin-validator": 240,
    "pytest-asyncio-setup": 250,
    "rate-limit-recursion": 260,
    "real-server-environment": 270,
    "redis-socket-timeout": 280,
    "room-cleanup-race": 290,
    "sync-async-boundary": 300,
    "channel-layer-setup": 310,
    "warnings-as-errors": 320,
    "readiness-race": 330,
    "live-server-parallel": 340,
}


def block_of(code: str) -> str | None:
    """The entry whose block holds ``code`` (``"KB241"`` -> ``"origin-validator"``), or None."""
    number = int(code[2:]) if code[:2] == "KB" and code[2:].isdigit() else -1
    return next((entry for entry, start in BLOCKS.items() if start <= number < start + 10), None)

"""Sync test code that asks for the current loop before any loop was set, warnings as errors."""

import asyncio


async def ping():
    return "pong"


def test_ping_on_the_current_loop():
    loop = asyncio.get_event_loop()  # Python 3.12+: DeprecationWarning, an error here
    try:
        assert loop.run_until_complete(ping()) == "pong"
    finally:
        loop.close()
        asyncio.set_event_loop(None)

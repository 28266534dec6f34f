"""The database the scenarios give ``ChannelsLiveServerTestCase``, picked at import.

A scenario module calls one of these before Django's runner or pytest-django creates the test
database (both import test modules first). The database is left to ``live_settings``
(SQLite with a file test database) unless a scenario calls one of these.
"""

import asyncio
import json

from harness.client import connect
from harness.databases import configure
from harness.tokens import issue_token


def postgres_test_database(*, test_name: bool = True) -> dict:
    """Point Django at PostgreSQL (a real server: ``DATABASE_URL``, or one started for this
    process); returns the ``default`` entry. ``TEST.NAME`` is ``test_<NAME>`` spelled out, or,
    with ``test_name=False``, left to Django's default (the same name, implicit)."""
    config = configure("postgres")["default"]
    if test_name:
        config["TEST"] = {"NAME": f"test_{config['NAME']}"}
    return config


def in_memory_test_database() -> dict:
    """SQLite with no ``TEST.NAME``: Django's test database is in memory."""
    return configure("sqlite")["default"]


def join_as(base_url: str, user_id: int, timeout: float = 5.0) -> dict:
    """Join ``/ws/match/<room>/`` over a real connection as ``user_id``; the server's reply.

    The JWT middleware looks the user up in the server process's database: a server that cannot
    read ``auth_user`` refuses the handshake with HTTP 500, one that reads another database
    closes with 4001 (anonymous).
    """

    async def talk():
        async with await connect(base_url, "/ws/match/live/", token=issue_token(user_id), timeout=timeout) as ws:
            await ws.send(json.dumps({"type": "join", "role": "player"}))
            return json.loads(await asyncio.wait_for(ws.recv(), timeout))

    return asyncio.run(talk())

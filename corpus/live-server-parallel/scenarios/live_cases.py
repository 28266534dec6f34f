"""What the scenarios' live-server tests do: join a match over a real WebSocket.

``join_as`` talks to the live server (the JWT middleware reads the user from the server
process's database), so a test that passes shows the server started and saw the test database.
"""

import asyncio
import json

from harness.client import connect
from harness.tokens import issue_token


def join_as(base_url: str, user_id: int, timeout: float = 10.0) -> dict:
    """Join ``/ws/match/live/`` as ``user_id``; the server's first reply."""

    async def talk():
        async with await connect(base_url, "/ws/match/live/", token=issue_token(user_id), timeout=timeout) as ws:
            await ws.send(json.dumps({"type": "join", "role": "player"}))
            return json.loads(await asyncio.wait_for(ws.recv(), timeout))

    return asyncio.run(talk())


def file_test_database() -> None:
    """Under Django's runner with the harness's test settings (``kb corpus``'s ``django``
    form): name a file test database before the runner creates it (call at import)."""
    from pathlib import Path

    from django.conf import settings

    from harness.databases import _reset_connections

    default = settings.DATABASES["default"]
    default["TEST"] = {"NAME": str(Path(default["NAME"]).resolve().with_name("test_live_runner.sqlite3"))}
    _reset_connections()

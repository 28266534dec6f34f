"""The server process class for ``ChannelsLiveServerTestCase``, safe under fork and spawn.

- It lives in a module that imports no models: a ``spawn``ed server unpickles it, importing
  this module before anything in that process has called ``django.setup()``.
- ``start()`` closes this process's database connections before forking, so the server inherits
  no open socket to the database (closing a copy there would end the test's session).
- ``run()`` (in the server) points ``NAME`` at ``TEST.NAME`` first: a ``spawn``ed server reads
  the settings module afresh, and channels < 4.3.0 does not do this itself.
"""

import asyncio
import json

from daphne.testing import DaphneProcess
from django.db import connections

from harness.client import connect
from harness.tokens import issue_token


class LiveServerProcess(DaphneProcess):
    def start(self):
        connections.close_all()  # the test's connections reopen on their next query
        super().start()

    def run(self):
        from django.conf import settings

        default = settings.DATABASES["default"]
        default["NAME"] = default["TEST"]["NAME"]  # set in the settings module, so also here
        super().run()


def join_as(base_url: str, user_id: int, timeout: float = 5.0) -> dict:
    """Join ``/ws/match/<room>/`` over a real connection as ``user_id``; the server's reply
    (the server reads the user from its own database connection)."""

    async def talk():
        async with await connect(base_url, "/ws/match/live/", token=issue_token(user_id), timeout=timeout) as ws:
            await ws.send(json.dumps({"type": "join", "role": "player"}))
            return json.loads(await asyncio.wait_for(ws.recv(), timeout))

    return asyncio.run(talk())

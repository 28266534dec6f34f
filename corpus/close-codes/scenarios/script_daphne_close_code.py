"""Daphne's own log when a consumer closes with a code autobahn refuses: the server-side form.

Starts Daphne on ``closing_asgi``, opens ``/ws/close/enum/`` (an IntEnum code) and
``/ws/close/code-1012/`` (a standard code outside 1000 and 3000-4999), prints the close code
the client got for each and the server's log, and exits 1 when the client got 1011 for both
(0 would mean the failure stopped reproducing).
"""

import asyncio
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


async def main() -> int:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    from harness import client
    from harness.servers import REPO, daphne_server

    pythonpath = os.pathsep.join([str(REPO), str(HERE)])
    codes = {}
    with daphne_server(app="closing_asgi:application", env={"PYTHONPATH": pythonpath}) as server:
        for how in ("enum", "code-1012"):
            ws = await client.connect(server.url, f"/ws/close/{how}/", origin=server.origin, timeout=10)
            codes[how] = await client.close_code(ws, timeout=10)
            print(f"client: /ws/close/{how}/ closed with {codes[how]}")
        await client.eventually(lambda: server.log().count("Exception inside application") >= 2, timeout=10)
        print(server.log(), file=sys.stderr)
    return 1 if set(codes.values()) == {1011} else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

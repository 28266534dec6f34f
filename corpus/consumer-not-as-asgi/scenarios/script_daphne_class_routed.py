"""Daphne's own log when its routing names a consumer class: the server-side form.

Starts Daphne on ``class_routed_asgi``, connects once, prints the client's error and the
server's log, and exits 1 when the failure reproduced (0 would mean it stopped reproducing).
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
    with daphne_server(app="class_routed_asgi:application", env={"PYTHONPATH": pythonpath}) as server:
        try:
            ws = await client.connect(server.url, "/ws/echo/", origin=server.origin, timeout=10)
        except Exception as exc:  # noqa: BLE001 - printed: it is the capture
            print(f"client: {type(exc).__module__}.{type(exc).__name__}: {exc}")
            failed = True
        else:
            await ws.close()
            failed = False
        await client.eventually(lambda: "Exception inside application" in server.log(), timeout=10)
        print(server.log(), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

# kb-corpus: websockets >= 15
"""The plain ``websockets`` client on a CI runner that exports ``http_proxy``.

Starts Daphne, puts ``http_proxy`` (a loopback port where nothing listens, as an unreachable
proxy looks from a build container) into the environment, and connects to the server. With
websockets >= 15.0 the connection goes to the proxy and fails; the uncaught native traceback is
the capture (exit 1). Before 15.0 it connects directly and the script exits 0.
"""

import asyncio
import os
import sys

PROXY = "http://127.0.0.1:3128"


async def main() -> int:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    import websockets

    from harness.servers import daphne_server

    with daphne_server() as server:
        for name in [name for name in os.environ if name.lower().endswith("_proxy")]:
            del os.environ[name]
        os.environ["http_proxy"] = PROXY
        async with websockets.connect(f"{server.url}/ws/echo/", origin=server.origin, open_timeout=10) as ws:
            await ws.send("hello")
            print(await asyncio.wait_for(ws.recv(), 10))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

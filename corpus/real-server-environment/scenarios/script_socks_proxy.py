# kb-corpus: websockets >= 15
"""The plain ``websockets`` client on a runner that exports a SOCKS proxy, without python-socks.

``socks_proxy=socks5h://127.0.0.1:1080`` (the variable ``urllib.request.getproxies()`` reads as
the ``socks`` entry, which websockets >= 15.0 uses before ``https`` and ``http``). websockets
needs the optional python-socks package for it and raises ``ImportError`` before any connection
is made (nothing listens on 1080; nothing is contacted). Daphne is started so the target is real;
the uncaught native traceback is the capture (exit 1).
"""

import asyncio
import importlib.util
import os
import sys


async def main() -> int:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    import websockets

    from harness.servers import daphne_server

    if importlib.util.find_spec("python_socks") is not None:
        print("python-socks is installed here: websockets would try the SOCKS proxy", file=sys.stderr)
        return 0
    with daphne_server() as server:
        for name in [name for name in os.environ if name.lower().endswith("_proxy")]:
            del os.environ[name]
        os.environ["socks_proxy"] = "socks5h://127.0.0.1:1080"
        async with websockets.connect(f"{server.url}/ws/echo/", origin=server.origin, open_timeout=10) as ws:
            await ws.send("hello")
            print(await asyncio.wait_for(ws.recv(), 10))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

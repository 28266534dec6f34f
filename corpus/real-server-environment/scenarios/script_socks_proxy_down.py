# kb-corpus: websockets >= 15
# kb-corpus: python-socks >= 2.0
"""The plain ``websockets`` client on a runner that exports a SOCKS proxy nobody serves, with python-socks.

``https_proxy=socks5h://127.0.0.1:<port>`` (a ``socks5`` URL in any proxy variable reaches the
SOCKS path: websockets' ``get_proxy`` returns the URL and its scheme decides) with the optional
python-socks installed and nothing listening there: python-socks raises its own
``ProxyConnectionError`` (an ``OSError``), which websockets re-raises unchanged
(``connect_socks_proxy``: ``except OSError: raise``). The port is one the script bound and
released. Daphne is started so the target is real; the uncaught native traceback is the
capture (exit 1). Captured with a small virtualenv that adds python-socks to the pins.
"""

import asyncio
import os
import socket
import sys


async def main() -> int:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    import websockets

    from harness.servers import daphne_server

    with socket.socket() as probe:  # a port nobody listens on once released
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    with daphne_server() as server:
        for name in [name for name in os.environ if name.lower().endswith("_proxy")]:
            del os.environ[name]
        os.environ["https_proxy"] = f"socks5h://127.0.0.1:{dead_port}"
        async with websockets.connect(f"{server.url}/ws/echo/", origin=server.origin, open_timeout=10) as ws:
            await ws.send("hello")
            print(await asyncio.wait_for(ws.recv(), 10))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

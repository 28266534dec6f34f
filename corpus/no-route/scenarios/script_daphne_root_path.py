# kb-corpus: channels >= 4.1
# kb-corpus: daphne >= 4.1
"""Daphne's log when it runs with --root-path and the request's path lacks the prefix.

Starts Daphne with ``--root-path /app`` on the harness's application, connects to ``/ws/echo/``
(as through a proxy that strips the prefix), prints the client's error and the server's log, and
exits 1 when the failure reproduced.
"""

import asyncio
import sys


async def main() -> int:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    from harness import client
    from harness.servers import daphne_server

    with daphne_server(args=["--root-path", "/app"]) as server:
        try:
            ws = await client.connect(server.url, "/ws/echo/", origin=server.origin, timeout=10)
        except Exception as exc:  # noqa: BLE001 - printed: it is the capture
            print(f"client: {type(exc).__module__}.{type(exc).__name__}: {exc}")
            failed = True
        else:
            await ws.close()
            failed = False
        if failed:
            await client.eventually(lambda: "Exception inside application" in server.log(), timeout=10)
        print(server.log(), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

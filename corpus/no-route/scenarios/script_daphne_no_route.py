"""Daphne's own log for a path no route matches: the server-side form.

Starts Daphne on the harness's application, connects to a path it does not route, prints the
client's error and the server's log, and exits 1 when the failure reproduced.
"""

import asyncio
import sys


async def main() -> int:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    from harness import client
    from harness.servers import daphne_server

    with daphne_server() as server:
        try:
            ws = await client.connect(server.url, "/ws/echo", origin=server.origin, timeout=10)
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

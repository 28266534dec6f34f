# kb-corpus: websockets >= 15
"""The plain ``websockets`` client on a CI runner whose ``http_proxy`` answers, and refuses.

A corporate or CI proxy that is up usually refuses ``CONNECT 127.0.0.1:<port>`` (the runner's
loopback is not a destination it serves). Here a tiny asyncio server on 127.0.0.1 plays that
proxy: it answers every request with ``HTTP/1.1 403 Forbidden``. The script starts Daphne, puts
that proxy into ``http_proxy`` and connects to the server; with websockets >= 15.0 the
connection goes to the proxy, and the uncaught native traceback is the capture (exit 1).
Both servers are stopped on the way out.
"""

import asyncio
import os
import sys


async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read one request head, answer 403, close."""
    try:
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
    finally:
        writer.close()


async def main() -> int:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    import websockets

    from harness.servers import daphne_server

    proxy = await asyncio.start_server(refuse, "127.0.0.1", 0)
    try:
        with daphne_server() as server:
            for name in [name for name in os.environ if name.lower().endswith("_proxy")]:
                del os.environ[name]
            os.environ["http_proxy"] = f"http://127.0.0.1:{proxy.sockets[0].getsockname()[1]}"
            async with websockets.connect(f"{server.url}/ws/echo/", origin=server.origin, open_timeout=10) as ws:
                await ws.send("hello")
                print(await asyncio.wait_for(ws.recv(), 10))
    finally:
        proxy.close()
        await asyncio.wait_for(proxy.wait_closed(), 10)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

"""An asyncio server (uvicorn, ``websockets.serve``) started on a port a leftover server holds.

A listening socket stands for the server an earlier, failed test left running; then
``loop.create_server`` binds the same port, as uvicorn and ``websockets.serve`` do. Its
``OSError`` is left uncaught, so the native traceback is the capture (exit 1). Python 3.13
words it differently (``str(err).lower()`` repeats the errno). The socket is closed on the way out.
"""

import asyncio
import socket
import sys


async def start_on(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(asyncio.Protocol, "127.0.0.1", port)
    server.close()  # reached only if the port was free: the failure stopped reproducing


def main() -> int:
    with socket.socket() as left_running:
        left_running.bind(("127.0.0.1", 0))
        left_running.listen()
        asyncio.run(start_on(left_running.getsockname()[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the installed ``websockets`` client reports when a Daphne server closes a connection.

Run by the close-codes notebook with one virtualenv per websockets version (kb.envs):

    python probe_client.py ws://127.0.0.1:PORT http://localhost:PORT HOW [HOW ...] [--kill PID]

For each HOW it connects with the top-level ``websockets.connect`` (what a test calls),
waits for a frame on ``/ws/close/<HOW>/`` (closing_asgi.py) and prints one JSON line:
``{"how", "version", "client", "type", "message", "code"}``: the exception's class and text,
and the close code the client received (``rcvd.code``, ``None`` when no close frame came; the
legacy ``.code`` before websockets 10). ``--kill PID`` then connects to ``/ws/close/echo/``,
sends the server SIGKILL and reports what the client sees of a server that vanished.
Imports only the standard library and websockets. Exits 0.
"""

import asyncio
import inspect
import json
import os
import signal
import sys

import websockets


def connector():
    connect = websockets.connect
    # websockets >= 15 would route ws://127.0.0.1 through a proxy from the environment
    extra = {"proxy": None} if "proxy" in inspect.signature(connect).parameters else {}
    return connect, extra


def report(how: str, ws, exc: BaseException) -> dict:
    rcvd = getattr(exc, "rcvd", None)
    code = rcvd.code if rcvd is not None else None
    if not hasattr(exc, "rcvd"):  # websockets < 10: code and reason only
        code = getattr(exc, "code", None)
    return {
        "how": how,
        "version": websockets.__version__ if hasattr(websockets, "__version__") else websockets.version.version,
        "client": type(ws).__module__ if ws is not None else None,
        "type": type(exc).__name__,
        "message": str(exc),
        "code": code,
    }


async def close_of(base: str, origin: str, how: str, kill: int | None = None) -> dict:
    connect, extra = connector()
    ws = None
    try:
        ws = await asyncio.wait_for(connect(f"{base}/ws/close/{how}/", origin=origin, **extra), 10)
        if kill is not None:
            os.kill(kill, signal.SIGKILL)
        await asyncio.wait_for(ws.recv(), 10)
    except websockets.exceptions.WebSocketException as exc:
        return report(how if kill is None else "killed", ws, exc)
    raise AssertionError(f"{how}: the server sent a frame instead of closing")


async def main(argv: list[str]) -> None:
    kill = None
    if "--kill" in argv:
        at = argv.index("--kill")
        kill = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    base, origin, *hows = argv
    for how in hows:
        print(json.dumps(await close_of(base, origin, how)), flush=True)
    if kill is not None:
        print(json.dumps(await close_of(base, origin, "echo", kill)), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))

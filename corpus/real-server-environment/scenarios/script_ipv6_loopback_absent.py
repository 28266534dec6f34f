"""Servers told to bind ::1 (or localhost) on a machine whose loopback has no IPv6 address.

Re-runs itself inside new network and mount namespaces (``unshare -n -m``, root) whose loopback
is up with IPv6 disabled (127.0.0.1 exists, ::1 does not) and whose ``/etc/hosts`` maps
``localhost`` to both ``127.0.0.1`` and ``::1``, as Docker's does. There it binds ::1 with a
plain socket and with asyncio's ``create_server`` (uvicorn's and ``websockets.serve``'s stack),
binds ``localhost`` with asyncio, and starts Daphne on ``localhost`` and on ``::1`` through the
harness. With ``KB_ASYNCIO_LOOP=uvloop`` in the environment (and uvloop installed) the asyncio
binds run on uvloop's loop instead, as uvicorn's ``--loop auto`` picks it. One line per attempt on stdout; Daphne's ``::1`` failure on stderr. Exits 1 when the
plain socket and Daphne failed on ::1 as expected, 2 (one line on stderr) when the namespace
cannot be made.
"""

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile

INSIDE = "--inside-namespace"
LOOP = os.environ.get("KB_ASYNCIO_LOOP", "asyncio")  # "asyncio" (the standard library's) or "uvloop"
HOSTS = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n"  # Docker's two lines


def outside() -> int:
    if os.geteuid() != 0 or not all(shutil.which(tool) for tool in ("unshare", "ip", "mount")):
        print("needs root, unshare, ip and mount to make the namespaces", file=sys.stderr)
        return 2
    with tempfile.NamedTemporaryFile("w", suffix=".hosts") as hosts:
        hosts.write(HOSTS)
        hosts.flush()
        setup = (
            f'mount --bind "{hosts.name}" /etc/hosts && '
            "sysctl -q -w net.ipv6.conf.lo.disable_ipv6=1 && ip link set lo up && "
            f'exec "{sys.executable}" "{os.path.abspath(__file__)}" {INSIDE}'
        )
        return subprocess.run(["unshare", "-n", "-m", "sh", "-c", setup], timeout=120).returncode


async def asyncio_bind(host: str) -> str:
    """Bind ``host`` on port 0 with asyncio's create_server; what it bound, or its OSError."""
    try:
        server = await asyncio.get_running_loop().create_server(asyncio.Protocol, host, 0)
    except OSError as exc:
        return f"OSError: {exc}"
    bound = sorted(sock.getsockname()[0] for sock in server.sockets)
    server.close()
    await server.wait_closed()
    return f"bound {bound}"


def inside() -> int:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    from harness.servers import ServerError, daphne_server

    failures = 0
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError as exc:
        print(f"socket.bind(('::1', 0)): OSError: {exc}")
        failures += 1
    run = asyncio.run
    if LOOP == "uvloop":
        import uvloop

        run = uvloop.run
    for host in ("::1", "localhost"):
        print(f"{LOOP} create_server({host!r}): {run(asyncio_bind(host))}")
    with daphne_server(host="localhost") as on_localhost:
        listening = next(line for line in on_localhost.log().splitlines() if "Listening on TCP address" in line)
        print(f"daphne -b localhost: {listening.split('INFO')[-1].strip().rsplit(':', 1)[0]}")  # port varies
    try:
        with daphne_server(host="::1"):
            pass
    except ServerError as exc:
        print(f"harness.servers.ServerError: {exc}", file=sys.stderr)
        failures += 1
    return 1 if failures == 2 else 0


if __name__ == "__main__":
    sys.exit(inside() if INSIDE in sys.argv else outside())

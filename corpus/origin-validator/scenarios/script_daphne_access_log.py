"""Daphne's own log of refused handshakes: a client without an Origin, then one sending
`Origin: null` (a sandboxed iframe, a file:// page), against `daphne -v 1`. Prints Daphne's
output (its access log goes to stdout, which harness.servers discards, so this script starts
Daphne itself), then the client's traceback; exits 1."""

import asyncio
import subprocess
import sys
import tempfile
import time

from harness.bootstrap import bootstrap
from harness.servers import REPO, daphne_env

bootstrap("harness.settings.test")

import websockets  # noqa: E402


def wait_for_port(log_path: str, proc: subprocess.Popen, timeout: float = 20.0) -> int:
    """Poll Daphne's log (with a deadline) for its listening line; return the port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(log_path) as log:
            for line in log:
                if "Listening on TCP address" in line:
                    return int(line.rsplit(":", 1)[1])
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"Daphne did not listen:\n{open(log_path).read()}")


async def refused(url: str) -> list[BaseException]:
    errors = []
    for origin in (None, "null"):
        try:
            async with websockets.connect(url, origin=origin, open_timeout=5):
                pass
        except websockets.exceptions.InvalidHandshake as exc:  # InvalidStatus; InvalidStatusCode before 14
            errors.append(exc)
    return errors


with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "0", "-v", "1", "harness.asgi:application"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO, env=daphne_env(),
        start_new_session=True,
    )
    try:
        port = wait_for_port(log.name, proc)
        errors = asyncio.run(refused(f"ws://127.0.0.1:{port}/ws/echo/"))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    log.seek(0)
    sys.stdout.write(log.read())
    sys.stdout.flush()
assert len(errors) == 2, errors
raise errors[0]

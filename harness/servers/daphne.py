"""``daphne_server()``: the harness's ASGI application served by a real Daphne process."""

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .process import REPO, OutputTail, ServerError, spawn, stop

LISTENING = re.compile(r"Listening on TCP address \S+:(\d+)")


@dataclass
class DaphneServer:
    """A running Daphne process."""

    url: str  # ws://127.0.0.1:PORT
    port: int
    proc: subprocess.Popen
    startup_s: float
    env: dict = field(repr=False, default_factory=dict)
    _tail: OutputTail | None = field(repr=False, default=None)

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
    proc = spawn(
        [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "-v", "1", *args, app],
        env=full_env,
    )
    tail = OutputTail(proc.stderr, LISTENING)
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

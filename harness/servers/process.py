"""Process control for the real servers (``redis``, ``postgres``, ``daphne`` beside this module).

Every server is a child that is always stopped: on normal exit, on an
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
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent  #: the repository (or the installed tree)

_live: set[subprocess.Popen] = set()


#: what makes a child's output differ by machine: ``CI``/``BUILD_NUMBER`` make pytest (>= 7.4)
#: print every short-summary message whole, on many lines; a Jupyter kernel sets ``FORCE_COLOR``
#: and ``CLICOLOR_FORCE``, with which Python 3.13+ colours every traceback its children print;
#: ``PYTEST_ADDOPTS`` (the caller's, e.g. ``--durations=20``) would add its options to every
#: nested session, whose whole output a notebook checks
MACHINE_VARIABLES = ("CI", "BUILD_NUMBER", "FORCE_COLOR", "CLICOLOR_FORCE", "PYTEST_ADDOPTS")


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


def spawn(
    argv: list[str], env: dict | None = None, stop_signal: int = signal.SIGTERM, **popen
) -> subprocess.Popen:
    """Start ``argv``; ``stop_signal`` is what ``stop()`` and the parent's death send it.

    ``popen`` overrides ``Popen``'s other arguments (``stdout``, ``stderr``, ``cwd``); by
    default stdout is discarded and stderr is a pipe."""
    return _SPAWNER.submit(_popen, argv, env, stop_signal, popen).result()


def _popen(argv: list[str], env: dict | None, stop_signal: int, popen: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        argv,
        env=env,
        start_new_session=True,  # its own process group, killed as one
        preexec_fn=functools.partial(_die_with_parent, stop_signal),  # built before the fork
        **{"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE,
           "text": True, "errors": "replace", **popen},
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


class OutputTail:
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


# sun_path is 108 bytes on Linux, NUL included; a longer path makes a server fail to bind.
MAX_UNIX_SOCKET_PATH = 107

"""The set-up every notebook imports first (through ``kb.notebook``); prints nothing.

Sets Django up with the test settings, a migrated SQLite file and the seed users. Then a
notebook calls ``use_layer(channel_layer)`` with its parameter; asking for "redis" starts a
real ``redis-server`` (or uses ``$REDIS_URL``) that stops when the kernel exits. Notebooks
about the database also call ``use_database(database)`` ("sqlite" or "postgres"). A program that
runs while later cells do starts with ``background(argv)``, which stops it when a cell fails.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path

from .bootstrap import bootstrap
from .servers import MACHINE_VARIABLES

# A Jupyter kernel sets FORCE_COLOR and CLICOLOR_FORCE: every program a notebook starts would
# print colour codes (Python 3.13+ colours its tracebacks with them), so what a cell asserts
# would differ between the kernel and a terminal. Gone for this kernel and all it starts.
for _name in MACHINE_VARIABLES:
    os.environ.pop(_name, None)

bootstrap("harness.settings.test")
warnings.filterwarnings("ignore", category=DeprecationWarning, module="twisted|autobahn")

_exit = contextlib.ExitStack()
_redis: dict = {}
_scratch: list[tempfile.TemporaryDirectory] = []


def redis_url() -> str:
    """A Redis for this kernel: ``$REDIS_URL``, or one started once and kept until exit."""
    if "url" not in _redis:
        from .servers import redis_server

        _redis["url"] = _exit.enter_context(redis_server(os.environ.get("REDIS_URL")))
    return _redis["url"]


def use_layer(kind: str) -> dict:
    """Select the channel layer ("memory" or "redis") for this kernel and its Daphne servers."""
    from .layers import use_channel_layer

    return use_channel_layer(kind, redis_url() if kind == "redis" else None)


def use_database(kind: str) -> dict:
    """Select the database ("sqlite" or "postgres") for this kernel and its subprocesses.

    "postgres" uses ``$DATABASE_URL``'s server, or starts a real PostgreSQL for the kernel; in
    both cases a database of the kernel's own, migrated and seeded, dropped when it exits.
    """
    from .databases import use_database as switch

    return switch(kind)


def scratch(prefix: str) -> Path:
    """A new empty folder (a suite, a socket path) that is removed when the kernel exits.

    All of a kernel's folders sit in one ``kb-notebook-*`` temporary folder, removed at
    interpreter exit (``tempfile.TemporaryDirectory``'s finalizer), so a notebook run leaves
    nothing behind in the temporary folder, where ``tempfile.mkdtemp`` left one per call.
    """
    if not _scratch:
        _scratch.append(tempfile.TemporaryDirectory(prefix="kb-notebook-"))
    return Path(tempfile.mkdtemp(prefix=prefix, dir=_scratch[0].name))


class Background:
    """A program running beside the cells, started by ``background()``; ``result()`` waits for it.

    It never outlives what started it: it runs in its own process group, which is stopped
    whole when its ``timeout`` passes, when a cell of the kernel fails (IPython's
    ``post_run_cell``: an exception, an interrupt), by ``stop()``, at interpreter exit and, on
    Linux, when the kernel dies without running any code (``PR_SET_PDEATHSIG``, armed from
    ``harness.servers.process``'s long-lived spawner thread). PDEATHSIG reaches the program
    itself, not processes it started: those need their own (as ``harness.servers`` arms it).

    The spawner job that forks the program also registers it and starts its watcher. When
    ``background()`` is interrupted (or raises) meanwhile, it marks the run abandoned: if the
    fork is done it stops the run itself, otherwise the job does once it has forked. Only the
    watcher reaps the program, after it has SIGKILLed what is left of the group while the
    exited leader (a zombie) still holds the group's id, so no signal reaches a group whose
    number was freed and reused; ``stop()`` does nothing once the watcher has reaped.
    """

    def __init__(self, argv: list[str], env: dict | None, cwd, timeout: float):
        from .servers import process

        self.args, self.timeout = [str(arg) for arg in argv], timeout
        self.timed_out = self.stopped = False
        self.pid = None
        self._lock = threading.Lock()
        self._reaped = threading.Event()
        folder = scratch("background-")  # files, not pipes: nothing to drain, no pipe to block on
        self._stdout, self._stderr = folder / "stdout", folder / "stderr"
        self._abandoned = False
        try:
            process._SPAWNER.submit(self._start, process.child_env(env), cwd).result()
        except BaseException:  # an interrupt, perhaps after the fork: the later of the two stops it
            with self._lock:
                self._abandoned, forked = True, self.pid is not None
            if forked:
                self.stop()
            raise

    def _start(self, env: dict, cwd) -> None:  # the spawner job (PDEATHSIG follows its thread)
        from .servers import process

        with open(self._stdout, "wb") as out, open(self._stderr, "wb") as err:
            files = {"cwd": cwd, "stdout": out, "stderr": err}
            proc = process._popen(self.args, env, signal.SIGTERM, files)
        process._live.discard(proc)  # stopped here: process.stop would reap it, then killpg
        with self._lock:
            self._proc, self.pid, abandoned = proc, proc.pid, self._abandoned
        _running.add(self)
        self._timer = threading.Timer(self.timeout, self._time_out)
        self._timer.daemon = True
        self._watcher = threading.Thread(target=self._watch, name=f"background-{self.pid}", daemon=True)
        self._watcher.start()
        self._timer.start()
        if abandoned:  # background() was interrupted before this job ended
            threading.Thread(target=self.stop, daemon=True).start()

    def _watch(self) -> None:
        os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
        with self._lock:
            _killpg(self.pid, signal.SIGKILL)  # whatever it left in its group
            self._proc.wait()  # reaps: from now on its pid and group number may be reused
            self._reaped.set()
        self._timer.cancel()
        _running.discard(self)

    def _running_now(self) -> bool:  # under the lock, before the watcher reaps
        return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None

    def _time_out(self) -> None:
        with self._lock:
            if self._reaped.is_set() or not self._running_now():
                return
            self.timed_out = True
        self.stop()

    def stop(self, grace: float = 2.0) -> None:
        """Stop the program's process group now (SIGTERM, then SIGKILL after ``grace`` s);
        nothing once the program has ended and been reaped (the watcher then unlists it)."""
        for signum in (signal.SIGTERM, signal.SIGKILL):
            with self._lock:
                if self._reaped.is_set():
                    return
                if not self.timed_out and self._running_now():
                    self.stopped = True
                _killpg(self.pid, signum)
            if self._reaped.wait(grace):
                return

    def result(self) -> subprocess.CompletedProcess:
        """Wait for the program (no longer than its timeout) and return what ``subprocess.run``
        would: ``returncode``, ``stdout`` and ``stderr`` as text. Raises ``subprocess.TimeoutExpired``
        when its timeout stopped it, ``RuntimeError`` when a failed cell or ``stop()`` did."""
        self._watcher.join(self.timeout + 10.0)  # the watcher ends at the timeout plus stop's grace
        if self._watcher.is_alive():
            raise RuntimeError(f"{self.args!r} (pid {self.pid}) did not stop after {self.timeout} s")
        stdout = self._stdout.read_text(errors="replace")
        stderr = self._stderr.read_text(errors="replace")
        if self.timed_out:
            raise subprocess.TimeoutExpired(self.args, self.timeout, stdout, stderr)
        if self.stopped:
            raise RuntimeError(f"{self.args!r} was stopped before it finished (a cell failed, or stop())")
        return subprocess.CompletedProcess(self.args, self._proc.returncode, stdout, stderr)


def _killpg(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has no member left
        os.killpg(pgid, signum)


_running: set[Background] = set()


def background(argv: list[str], env: dict | None = None, cwd=None, timeout: float = 120.0) -> Background:
    """Start ``argv`` beside the cells (``env``: variables on top of this kernel's); returns at once.

    For a run that takes long and that later cells need (``run.result()``), so the cells between
    go on meanwhile. ``timeout`` bounds it as ``subprocess.run``'s does. Unlike a thread that
    calls ``subprocess.run``, the program stops when a cell fails or the kernel ends (see
    ``Background``).
    """
    _stop_when_a_cell_fails()
    return Background(argv, env, cwd, timeout)


def stop_background() -> None:
    """Stop every background run still going."""
    for run in list(_running):
        run.stop()


def _stop_when_a_cell_fails() -> None:
    """Once per kernel: after a cell that raised (or was interrupted), stop every background run."""
    ipython = sys.modules.get("IPython")  # a kernel has imported it; plain Python need not
    shell = ipython.get_ipython() if ipython is not None else None  # None: atexit, PDEATHSIG
    if shell is not None and _after_cell not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _after_cell)


def _after_cell(result) -> None:
    if not result.success:
        stop_background()


def close() -> None:
    """Stop what this module started (also runs at interpreter exit)."""
    stop_background()
    _exit.close()
    _redis.clear()


import atexit  # noqa: E402

atexit.register(close)


SUMMARY = re.compile(r"(\d+ \w+|no tests ran).* in [\d.]+s")
# Plugins a nested session never uses ("-p no:NAME" is accepted where one is not installed).
# Hypothesis's plugin (the tooling's own fuzz tests use it; no scenario, guard or notebook suite
# does) was about 0.75 s of a nested session's 1.3 s of imports (python -X importtime).
NOT_NESTED = ("-p", "no:nbmake", "-p", "no:xdist", "-p", "no:xdist.looponfail", "-p", "no:hypothesispytest")


def run_pytest(
    *args: str, timeout: float = 120.0, cwd=None, env: dict | None = None, django: bool = False,
    python=None,
):
    """Run pytest in a subprocess (its own process, its own event loops); return the result.

    ``python`` runs it with another interpreter (a virtualenv of ``kb.envs``) instead
    of this kernel's.

    ``result.outcomes`` maps "passed"/"failed"/"error"/... to counts from pytest's summary
    line (empty when pytest printed none); ``result.output`` is stdout and stderr. The kb plugin is left on, so a failing run
    also shows which knowledge-base entry matches. pytest-django is off (``-p no:django``)
    unless ``django=True`` (then the session's ini or ``args`` load it): with
    ``DJANGO_SETTINGS_MODULE`` inherited from the kernel it would otherwise block the database
    for every test that does not carry its mark. nbmake, xdist and Hypothesis's plugin are off too: a
    nested session runs no notebook, no workers and no Hypothesis test, and loading them
    (nbmake imports Jupyter's client) was most of each session's start-up.
    """
    import subprocess
    import sys
    from types import SimpleNamespace

    from .servers import REPO, child_env

    proc = subprocess.run(
        [str(python or sys.executable), "-m", "pytest", "-q", "--color=no", "-p", "no:cacheprovider",
         *NOT_NESTED, *([] if django else ["-p", "no:django"]), *args],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(env),
    )
    output = proc.stdout + proc.stderr
    # The summary is the last stdout line ending "in 0.12s"; stderr may carry warnings after it.
    summaries = [line for line in proc.stdout.splitlines() if SUMMARY.search(line)]
    summary = summaries[-1] if summaries else ""
    outcomes = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", summary)}
    return SimpleNamespace(
        returncode=proc.returncode, output=output, outcomes=outcomes, summary=summary.strip("= ")
    )

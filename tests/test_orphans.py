"""No Daphne or redis-server outlives what started it, however that process ends.

Each test starts the servers in a fresh process group (a child Python, or a Jupyter kernel that
``jupyter_client`` launches in its own session), ends it the way real runs end (a Ctrl-C /
kernel interrupt, SIGTERM or SIGKILL of the parent, nbmake's cell timeout) and then counts the
survivors: every process carrying this test's unique ``HARNESS_ORPHAN_MARK`` in its
environment (children inherit it: the kernel, Daphne) or naming the test's own temp folder in
its command line (``TMPDIR`` points there, so redis-server's socket path does: redis-server
rewrites its process title over its environment, which hides the mark). The count is polled
with a deadline, never after a fixed sleep, and must reach zero.

What makes it hold (``harness.servers``): ``with`` blocks stop the servers on exceptions and
``KeyboardInterrupt``; ``atexit`` stops the rest on a normal exit; and ``PR_SET_PDEATHSIG``
makes Linux send SIGTERM to each server when its parent dies, which covers SIGTERM/SIGKILL of
the parent. prctl(2) says the signal follows the *thread* that spawned the child; on this
project's VM (Linux 6.18) a child whose spawning thread ended was not signalled, only when the
whole process died. Either way a server started by a notebook cell is safe as long as the cell
runs on the kernel's main thread, which the Jupyter kernel tests check (ipykernel 7.4 does).

A notebook's background runs (``nb.background``: a program that goes on while later cells run)
are held to the same: their process group stops when a later cell fails, when ``background()``
is interrupted while it forks, when their owner exits or raises, at their timeout, and under
nbmake's cell timeout. When the kernel is killed (SIGKILL, or a SIGTERM: no ``atexit`` runs) only
the program itself stops, through its PDEATHSIG; the processes it started stop only if they arm
their own, as ``harness.servers`` does for the servers it starts.
"""

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import nbformat
import psutil
import pytest

from harness.servers import REPO

pytestmark = pytest.mark.realserver

MARK = "HARNESS_ORPHAN_MARK"
# Variables through which a parent shares its servers and database with its children. A test
# here must start its own, so they are dropped from the child's environment.
INHERITED = (
    "HARNESS_DB_PATH", "REDIS_URL", "HARNESS_CHANNEL_LAYER", "HARNESS_REDIS_PREFIX",
    "HARNESS_DATABASE", "DATABASE_URL",
)


@pytest.fixture
def mark():
    """A unique temp folder; its path is the mark (in the environment and in TMPDIR).

    Short, directly in the system temp folder: a Unix socket path (redis-server's, inside it)
    must stay under 108 bytes, which pytest's ``tmp_path`` would exceed.
    """
    folder = tempfile.mkdtemp(prefix="orphans-")
    yield folder
    kill_marked(folder)
    shutil.rmtree(folder, ignore_errors=True)


def marked_env(mark: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED}
    env[MARK] = mark
    env["TMPDIR"] = mark  # harness temp folders (Redis socket, SQLite file) land in the mark
    return env


def is_marked(proc: psutil.Process, mark: str) -> bool:
    try:
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return proc.environ().get(MARK) == mark or any(mark in arg for arg in proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def marked(mark: str) -> list[psutil.Process]:
    """Live (non-zombie) processes that carry ``mark``."""
    return [proc for proc in psutil.process_iter() if is_marked(proc, mark)]


def survivors(mark: str, timeout: float = 30.0) -> list[str]:
    """Poll until no process carries ``mark`` or ``timeout`` passes; describe what is left."""
    deadline = time.monotonic() + timeout
    while True:
        alive = marked(mark)
        remaining = deadline - time.monotonic()
        if not alive or remaining <= 0:
            return [f"{p.pid} {' '.join(p.cmdline())}" for p in alive if p.is_running()]
        psutil.wait_procs(alive, timeout=min(remaining, 0.5))  # returns as soon as they exit


def gone(pid: int, timeout: float = 30.0) -> bool:
    try:
        psutil.Process(pid).wait(timeout)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        return False
    return True


def kill_marked(mark: str) -> None:
    """Last-resort clean-up so a failing test does not leave processes for the next one."""
    for proc in marked(mark):
        try:
            proc.kill()
        except psutil.Error:
            pass


# A child Python holding both servers ---------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys, threading, signal
    # Ctrl-C raises KeyboardInterrupt, as in a terminal's job, even where this test runner was
    # started with SIGINT ignored (a shell's background job: `make test &`), which children inherit
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from harness.bootstrap import bootstrap
    from harness.servers import daphne_server, redis_server

    bootstrap()
    print("STARTING", flush=True)
    with redis_server() as url, daphne_server(channel_layer="redis", redis_url=url) as server:
        print("READY", server.pid, flush=True)
        threading.Event().wait(120)  # held until the test interrupts or kills this process
    """
)


class Lines:
    """Reads a child's stdout on a thread, so a test can wait for a line with a deadline."""

    def __init__(self, stream):
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self.queue.put(line.rstrip("\n"))
        self.queue.put("")  # end of output

    def wait_for(self, prefix: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.queue.get(timeout=remaining)
            except queue.Empty:
                break
            self.seen.append(line)
            if line.startswith(prefix):
                return line
            if line == "" and self.queue.empty():
                break
        raise AssertionError(f"no line starting with {prefix!r} within {timeout} s: {self.seen}")


@pytest.fixture
def child(tmp_path, mark):
    """Start the servers in a child Python in its own session; yield (process, lines, mark)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=marked_env(mark),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a fresh process group, as a terminal's job would be
    )
    try:
        yield proc, Lines(proc.stdout), mark
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        kill_marked(mark)


def server_children(proc: subprocess.Popen) -> dict[str, int]:
    kids = psutil.Process(proc.pid).children()
    return {
        ("daphne" if "daphne" in " ".join(k.cmdline()) else k.name()): k.pid
        for k in kids
        if k.is_running()
    }


# Only PR_SET_PDEATHSIG stops the servers of a parent that dies without running any code.
needs_pdeathsig = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only"
)


@pytest.mark.parametrize(
    "how",
    [
        pytest.param(lambda p: os.killpg(p.pid, signal.SIGINT), id="ctrl-c-to-the-group"),
        pytest.param(
            lambda p: p.send_signal(signal.SIGTERM), id="sigterm-parent", marks=needs_pdeathsig
        ),
        pytest.param(
            lambda p: p.send_signal(signal.SIGKILL), id="sigkill-parent", marks=needs_pdeathsig
        ),
    ],
)
def test_when_the_process_holding_servers_is_ended_then_no_server_survives(child, how):
    proc, lines, mark = child
    daphne_pid = int(lines.wait_for("READY").split()[1])
    running = server_children(proc)
    assert set(running) == {"daphne", "redis-server"}, running  # what we count is real
    assert running["daphne"] == daphne_pid
    assert {p.pid for p in marked(mark)} == {proc.pid, *running.values()}  # the count sees them

    how(proc)

    proc.wait(timeout=60)
    assert survivors(mark) == []


def test_when_interrupted_while_daphne_is_still_starting_then_no_server_survives(child):
    """Ctrl-C lands as soon as the Daphne process exists, before it listens: inside
    ``daphne_server`` (maybe still inside ``Popen``), where only try/finally, atexit and
    PDEATHSIG can clean up."""
    proc, lines, mark = child
    lines.wait_for("STARTING")
    deadline = time.monotonic() + 60
    while "daphne" not in server_children(proc):
        assert time.monotonic() < deadline, f"no Daphne appeared: {lines.seen}"
        with contextlib.suppress(subprocess.TimeoutExpired):  # a bounded poll, not a sleep
            proc.wait(timeout=0.005)
        assert proc.poll() is None, f"the child exited early: {lines.seen}"
    os.killpg(proc.pid, signal.SIGINT)

    proc.wait(timeout=60)
    assert survivors(mark) == []


# A Jupyter kernel holding the servers -----------------------------------------------------


class Kernel:
    """A real ipykernel (``python3`` kernelspec) started by ``jupyter_client`` in its own
    session, with the test's mark in its environment."""

    def __init__(self, mark: str, cwd):
        from jupyter_client import KernelManager

        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(env=marked_env(mark), cwd=str(cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)
        self.msg_id = None

    @property
    def pid(self) -> int:
        return self.km.provisioner.pid

    def execute(self, code: str) -> None:
        self.msg_id = self.kc.execute(code)

    def wait_for_output(self, prefix: str, timeout: float = 120.0) -> str:
        """The first stdout line of the running cell that starts with ``prefix``."""
        deadline = time.monotonic() + timeout
        seen = []
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                msg = self.kc.get_iopub_msg(timeout=remaining)
            except queue.Empty:
                break
            if msg["parent_header"].get("msg_id") != self.msg_id:
                continue
            if msg["msg_type"] == "error":
                raise AssertionError(
                    f"cell failed: {msg['content']['ename']}: {msg['content']['evalue']}"
                )
            if msg["msg_type"] == "stream":
                for line in msg["content"]["text"].splitlines():
                    seen.append(line)
                    if line.startswith(prefix):
                        return line
        raise AssertionError(f"no output line starting with {prefix!r} within {timeout} s: {seen}")

    def reply(self, timeout: float) -> dict | None:
        """The running cell's execute_reply content, or None if none came within ``timeout``."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                msg = self.kc.get_shell_msg(timeout=remaining)
            except queue.Empty:
                return None
            if msg["parent_header"].get("msg_id") == self.msg_id:
                return msg["content"]
        return None

    def close(self) -> None:
        self.kc.stop_channels()
        if self.km.is_alive():
            self.km.shutdown_kernel(now=True)
        self.km.cleanup_resources()


@pytest.fixture
def kernel(tmp_path, mark):
    k = Kernel(mark, tmp_path)
    k.mark = mark
    try:
        yield k
    finally:
        k.close()
        kill_marked(mark)


# The cell under test: a Redis for the kernel's lifetime (as ``nb.use_layer("redis")`` does),
# a Daphne for the cell, then a wait the test interrupts. ``{wait}`` is the waiting statement.
KERNEL_CELL = """
import asyncio, threading
from kb import notebook as nb
from harness.client import eventually
from harness.servers import daphne_server

nb.use_layer("redis")
print("THREAD", threading.current_thread().name, threading.current_thread() is threading.main_thread())
with daphne_server(channel_layer="redis") as server:
    print("READY", server.pid, flush=True)
    {wait}
"""


def start_servers_in_a_cell(kernel: Kernel, wait: str) -> int:
    kernel.execute(KERNEL_CELL.format(wait=wait))
    # PR_SET_PDEATHSIG is documented to follow the spawning *thread*: where the kernel honours
    # that, a cell run on a thread that ends would lose its servers early. ipykernel 7.4 runs
    # the main shell's cells on the main thread; this checks it.
    assert kernel.wait_for_output("THREAD") == "THREAD MainThread True"
    daphne_pid = int(kernel.wait_for_output("READY").split()[1])
    names = {p.pid: p.name() for p in marked(kernel.mark)}
    assert kernel.pid in names and daphne_pid in names, names
    assert "redis-server" in names.values(), names
    return daphne_pid


def test_when_a_blocking_cell_is_interrupted_then_its_server_stops_and_shutdown_stops_the_rest(
    kernel,
):
    daphne_pid = start_servers_in_a_cell(kernel, wait="threading.Event().wait(120)")

    kernel.km.interrupt_kernel()

    reply = kernel.reply(timeout=60)
    assert reply is not None and reply["ename"] == "KeyboardInterrupt", reply
    assert gone(daphne_pid), "the interrupted cell's Daphne is still running"
    kernel.kc.stop_channels()
    kernel.km.shutdown_kernel(now=False)  # graceful: atexit stops the kernel's Redis
    assert survivors(kernel.mark) == []


@needs_pdeathsig
def test_when_an_async_cell_is_interrupted_and_the_kernel_killed_then_nothing_survives(kernel):
    """The usual notebook cell: top-level ``await`` on a bounded poll. ipykernel turns the
    interrupt into ``CancelledError`` inside the cell; then SIGKILL the kernel, which runs no
    clean-up at all: PDEATHSIG must stop its Redis."""
    daphne_pid = start_servers_in_a_cell(
        kernel, wait="await eventually(lambda: False, timeout=120, interval=0.05)"
    )

    kernel.km.interrupt_kernel()

    reply = kernel.reply(timeout=60)
    assert reply is not None and reply["ename"] == "CancelledError", reply
    assert gone(daphne_pid), "the interrupted cell's Daphne is still running"
    os.kill(kernel.pid, signal.SIGKILL)
    assert survivors(kernel.mark) == []


@needs_pdeathsig
def test_when_an_async_cell_awaits_with_nothing_scheduled_then_an_interrupt_waits_for_the_loop(
    kernel,
):
    """Documents an ipykernel limitation (ipython/ipykernel#881, still so in 7.4.0): its SIGINT
    handler for async cells schedules the cancellation with ``call_soon`` from inside the
    signal handler, which does not wake the event loop; the cell is cancelled only when the
    loop wakes for something else, here the cell's own timeout. So an unbounded ``await`` is
    also an uninterruptible one: one more reason every await in a notebook has a timeout."""
    idle_s = 6.0
    daphne_pid = start_servers_in_a_cell(
        kernel, wait=f"await asyncio.wait_for(asyncio.Event().wait(), timeout={idle_s})"
    )
    interrupted = time.monotonic()
    kernel.km.interrupt_kernel()

    assert kernel.reply(timeout=idle_s / 2) is None, (
        "the interrupt took effect at once: #881 fixed?"
    )
    reply = kernel.reply(timeout=60)
    assert reply is not None and reply["ename"] in ("CancelledError", "TimeoutError"), reply
    assert time.monotonic() - interrupted >= idle_s / 2
    assert gone(daphne_pid)
    kernel.close()
    assert survivors(kernel.mark) == []


# A notebook's background runs (nb.background) ---------------------------------------------

# The program of a background run: it starts a child of its own (in its process group, as a
# pytest or a script would), then waits until it is killed. It waits on an Event, not on a
# pipe: a pipe would end it by itself when the process holding the other end died.
WAITER = """
import subprocess, sys, threading
subprocess.Popen([sys.executable, "-c", "import threading; threading.Event().wait(600)"])
threading.Event().wait(600)
"""

BACKGROUND_CELL = f"""
import sys
from kb import notebook as nb
run = nb.background([sys.executable, "-c", {WAITER!r}], timeout=600)
print("STARTED", run.pid, flush=True)
"""


def program_and_child(pid: int, timeout: float = 60.0) -> list[int]:
    """The background program's pid and its own child's, once the child exists (polled)."""
    deadline = time.monotonic() + timeout
    program = psutil.Process(pid)
    while not (kids := program.children()):
        assert time.monotonic() < deadline, f"the program {pid} started no child"
        with contextlib.suppress(psutil.TimeoutExpired):  # a bounded poll, not a sleep
            program.wait(timeout=0.01)
    return [pid, kids[0].pid]


def start_background_in_a_cell(kernel: Kernel) -> list[int]:
    kernel.execute(BACKGROUND_CELL)
    pid = int(kernel.wait_for_output("STARTED").split()[1])
    reply = kernel.reply(timeout=60)
    assert reply is not None and reply["status"] == "ok", reply
    pids = program_and_child(pid)
    assert set(pids) <= {p.pid for p in marked(kernel.mark)}  # the count sees them
    return pids


def test_when_a_later_cell_fails_then_the_background_run_and_its_children_stop(kernel):
    """The kernel lives on (interactive use, or the cells nbmake still has to report): the
    failed cell alone must stop the run, not the kernel's end."""
    pids = start_background_in_a_cell(kernel)

    kernel.execute("raise RuntimeError('a later cell fails')")

    reply = kernel.reply(timeout=60)
    assert reply is not None and reply["ename"] == "RuntimeError", reply
    assert kernel.km.is_alive()
    assert all(gone(pid) for pid in pids), [p.cmdline() for p in marked(kernel.mark)]
    kernel.execute("run.result()")  # reading it says why, rather than returning a killed run
    reply = kernel.reply(timeout=60)
    assert reply is not None and reply["ename"] == "RuntimeError", reply
    assert "was stopped before it finished" in reply["evalue"], reply
    kernel.close()
    assert survivors(kernel.mark) == []


def test_when_a_cell_is_interrupted_then_the_background_run_stops(kernel):
    """An interrupt reaches the kernel's process group, which the run is not in (its own
    group): the failed cell's hook stops it."""
    pids = start_background_in_a_cell(kernel)

    kernel.execute("import threading; print('WAITING', flush=True); threading.Event().wait(120)")
    kernel.wait_for_output("WAITING")
    kernel.km.interrupt_kernel()

    reply = kernel.reply(timeout=60)
    assert reply is not None and reply["ename"] == "KeyboardInterrupt", reply
    assert all(gone(pid) for pid in pids)
    kernel.close()
    assert survivors(kernel.mark) == []


@needs_pdeathsig
def test_when_the_kernel_is_killed_then_its_background_program_stops(kernel):
    """SIGKILL to the kernel alone runs no clean-up: PDEATHSIG stops the program. It does not
    reach the program's own child (documented in ``harness.notebook.Background``); the
    fixture's clean-up kills that one."""
    program, _ = start_background_in_a_cell(kernel)

    os.kill(kernel.pid, signal.SIGKILL)

    assert gone(program), "the background program outlived its kernel"


# background() interrupted after the spawner job forked the program, before the main thread
# heard of it: the job is held there until the interrupt has been raised in the main thread.
HELD_SPAWN = f"""
import os, signal, sys, threading
from harness import notebook as nb
from harness.servers import process

forked, interrupted, release = threading.Event(), threading.Event(), threading.Event()
popen = process._popen

def held_popen(*args):  # the program runs; the job has not returned to background() yet
    proc = popen(*args)
    print("FORKED", proc.pid, flush=True)
    forked.set()
    release.wait(60)
    return proc

def on_sigint(signum, frame):
    interrupted.set()
    raise KeyboardInterrupt

def interrupt_then_release():
    forked.wait(60)
    os.kill(os.getpid(), signal.SIGINT)
    interrupted.wait(60)
    release.set()

process._popen = held_popen
signal.signal(signal.SIGINT, on_sigint)
threading.Thread(target=interrupt_then_release, daemon=True).start()
try:
    nb.background([sys.executable, "-c", {WAITER!r}], timeout=600)
except KeyboardInterrupt:
    print("INTERRUPTED", flush=True)
nb.stop_background()  # what the failed cell's hook does
print("HOOK RAN", flush=True)
sys.stdin.readline()  # the test counts survivors while this process (and its spawner) lives
"""


def test_when_background_is_interrupted_after_the_fork_then_the_program_stops(mark):
    """The window between the fork and the main thread's wake-up (a few ms, longer under load):
    the interrupt must not leave a program that nothing knows of (it would run for its 600 s
    timeout). The process stays alive while the test counts, so neither atexit nor PDEATHSIG
    can be what stopped it."""
    proc = subprocess.Popen([sys.executable, "-c", HELD_SPAWN], cwd=REPO, env=marked_env(mark),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        lines = Lines(proc.stdout)
        program = int(lines.wait_for("FORKED").split()[1])
        lines.wait_for("INTERRUPTED")
        lines.wait_for("HOOK RAN")
        assert gone(program), "the program outlived the interrupted background()"
        deadline = time.monotonic() + 30  # its own child too (the script itself carries the mark)
        while (left := [p for p in marked(mark) if p.pid != proc.pid]) and time.monotonic() < deadline:
            psutil.wait_procs(left, timeout=0.5)  # returns as soon as they exit
        assert left == []
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


OWNER = f"""
import sys
from harness.notebook import background
run = background([sys.executable, "-c", {WAITER!r}], timeout=600)
print("STARTED", run.pid, flush=True)
sys.stdin.readline()  # the test's go
raise RuntimeError("the owner fails")
"""


def test_when_the_python_that_started_a_background_run_raises_then_the_run_stops(tmp_path, mark):
    """Outside a kernel (a script, a test): the owner's exit stops the group (atexit)."""
    proc = subprocess.Popen([sys.executable, "-c", OWNER], cwd=REPO, env=marked_env(mark),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        pids = program_and_child(int(Lines(proc.stdout).wait_for("STARTED").split()[1]))
        proc.stdin.write("go\n")
        proc.stdin.close()
        assert proc.wait(timeout=60) == 1
        assert all(gone(pid) for pid in pids)
        assert survivors(mark) == []
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def test_when_a_background_run_outlasts_its_timeout_then_its_group_stops_and_result_raises(mark):
    from harness.notebook import background

    run = background([sys.executable, "-c", WAITER], env={MARK: mark}, timeout=2)
    pids = program_and_child(run.pid)

    with pytest.raises(subprocess.TimeoutExpired, match="timed out after 2 seconds"):
        run.result()
    assert all(gone(pid) for pid in pids)


def test_a_background_run_returns_what_subprocess_run_would():
    from harness.notebook import background

    code = "import sys; print('out', sys.argv[1]); print('err', file=sys.stderr); sys.exit(3)"
    finished = background([sys.executable, "-c", code, "x"], timeout=60).result()

    assert (finished.returncode, finished.stdout, finished.stderr) == (3, "out x\n", "err\n")


# A hanging notebook under nbmake -----------------------------------------------------------

HANG_MARKER = "# this cell waits for an event nobody sets"


def hanging_notebook(path, pid_file, background_pid_file) -> None:
    cells = [
        nbformat.v4.new_code_cell("from kb import notebook as nb"),
        nbformat.v4.new_code_cell('nb.use_layer("redis")'),
        nbformat.v4.new_code_cell(
            "import sys\n"
            "from pathlib import Path\n"
            f"run = nb.background([sys.executable, '-c', {WAITER!r}], timeout=600)\n"
            f"Path({str(background_pid_file)!r}).write_text(str(run.pid))\n"
        ),
        nbformat.v4.new_code_cell(
            f"{HANG_MARKER}\n"
            "import asyncio\n"
            "from pathlib import Path\n"
            "from harness.servers import daphne_server\n"
            "with daphne_server() as server:\n"
            f"    Path({str(pid_file)!r}).write_text(str(server.pid))\n"
            "    await asyncio.Event().wait()  # unbounded, on purpose\n"
        ),
        nbformat.v4.new_code_cell("print('never reached')"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))


def test_when_a_notebook_cell_hangs_then_nbmake_fails_naming_the_cell_and_nothing_survives(
    tmp_path, mark
):
    notebook = tmp_path / "hangs.ipynb"
    pid_file, background_pid_file = tmp_path / "daphne.pid", tmp_path / "background.pid"
    hanging_notebook(notebook, pid_file, background_pid_file)
    cell_timeout = 20
    started = time.monotonic()
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--nbmake",
                str(notebook),
                "-p",
                "no:cacheprovider",
                f"--nbmake-timeout={cell_timeout}",
                "-q",
                "--rootdir",
                str(tmp_path),
            ],
            cwd=tmp_path,
            env=marked_env(mark),
            capture_output=True,
            text=True,
            timeout=cell_timeout + 240,
        )
        elapsed = time.monotonic() - started
        output = result.stdout + result.stderr

        assert result.returncode == 1, output
        assert (
            f"A cell timed out while it was being executed, after {cell_timeout} seconds" in output
        )
        assert HANG_MARKER in output  # nbclient previews the cell that hung
        assert pid_file.exists(), "the hanging cell never started its server"
        # Bounded: kernel start-up, the cells before, the timeout, the kernel shutdown.
        assert elapsed < cell_timeout + 180, f"the hang took {elapsed:.0f} s to become a failure"
        assert gone(int(pid_file.read_text()))
        assert gone(int(background_pid_file.read_text())), "the background run outlived the kernel"
        assert survivors(mark) == []
    finally:
        kill_marked(mark)


def test_notebooks_in_the_repository_have_a_time_limit():
    """nbmake takes ``metadata.execution.timeout`` over ``--nbmake-timeout``: a notebook
    without it would run under whatever the command line says (or nbmake's default). The
    limit is per cell; 1500 s leaves room for a cell that builds older versions' virtualenvs
    from the package index on its first run (coverage-measured, event-loop-conflict)."""
    notebooks = sorted((REPO / "notebooks").glob("*.ipynb"))
    unbounded = []
    for path in notebooks:
        meta = json.loads(path.read_text()).get("metadata", {})
        limit = meta.get("execution", {}).get("timeout")
        if not isinstance(limit, int | float) or not 0 < limit <= 1500:
            unbounded.append(f"{path.name}: {limit!r}")
    assert unbounded == []

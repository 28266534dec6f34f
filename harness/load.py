"""CPU work of a known size, CPU contention on demand, and timeouts scaled from a measurement.

A test's timeout is a guess about how fast the machine is. To show where the guess breaks
without hoping the machine is busy, ``contended_cpu(workers)`` pins every thread of this
process to one CPU and starts ``workers`` busy processes pinned to the same CPU: the kernel's
fair scheduler then gives this process's runnable thread about ``1 / (workers + 1)`` of that
CPU, so ``seconds`` of CPU work take about ``seconds * (workers + 1)`` of wall time, whatever
the machine. The block starts only once every busy process has said it is in its loop (a byte on
its stdout, waited for with a bound), so the contention is in place when the block's work starts.
Other load on that CPU can only lower this process's share of it.

Every busy process ends on its own after ``BUSY_LIFETIME_S`` (so none outlives a killed test)
and is killed when the ``with`` block ends; the threads' CPU sets are restored then.
"""

import contextlib
import hashlib
import math
import os
import select
import subprocess
import sys
import time

BUSY_LIFETIME_S = 60.0
SPIN = ("import sys, time\nsys.stdout.write('r')\nsys.stdout.flush()\n"
        "end = time.monotonic() + {lifetime}\nwhile time.monotonic() < end:\n    pass\n")
SPINNING_WITHIN_S = 30.0  #: how long the busy processes may take to start (seconds, all of them)


def cpu_work(rounds: int) -> bytes:
    """``rounds`` PBKDF2-SHA256 iterations: pure CPU, what Django's password hasher spends."""
    return hashlib.pbkdf2_hmac("sha256", b"password", b"salt", rounds)


def measure(rounds: int, repeat: int = 3, clock=time.thread_time) -> float:
    """The least of ``repeat`` timings of ``cpu_work(rounds)`` in seconds: CPU time of this
    thread by default (what other load on the machine does not change), or ``clock``."""
    best = math.inf
    for _ in range(repeat):
        start = clock()
        cpu_work(rounds)
        best = min(best, clock() - start)
    return best


def rounds_for(seconds: float) -> int:
    """How many ``cpu_work`` rounds cost ``seconds`` of CPU time on this machine."""
    probe = 50_000
    return max(1000, int(probe * seconds / measure(probe)))


def workers_for(work_s: float, wall_s: float) -> int:
    """How many busy processes make ``work_s`` of CPU work last at least ``wall_s`` on one CPU."""
    return max(1, math.ceil(wall_s / work_s) - 1)


def _threads() -> list[int]:
    return [int(tid) for tid in os.listdir("/proc/self/task")]


@contextlib.contextmanager
def contended_cpu(workers: int, lifetime: float = BUSY_LIFETIME_S):
    """Pin this process (every thread, and threads it starts later) and ``workers`` busy
    processes to one CPU; yields that CPU's number. Linux only (``os.sched_setaffinity``)."""
    cpu = min(os.sched_getaffinity(0))
    before = {tid: os.sched_getaffinity(tid) for tid in _threads()}
    busy = []
    try:
        for _ in range(workers):
            proc = subprocess.Popen(
                [sys.executable, "-S", "-c", SPIN.format(lifetime=lifetime)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
            busy.append(proc)
            os.sched_setaffinity(proc.pid, {cpu})
        for tid in before:
            with contextlib.suppress(ProcessLookupError):
                os.sched_setaffinity(tid, {cpu})
        _wait_spinning(busy, time.monotonic() + SPINNING_WITHIN_S)
        yield cpu
    finally:
        for proc in busy:
            proc.kill()
            proc.stdout.close()
        for proc in busy:
            proc.wait(timeout=10)
        for tid, cpus in before.items():
            with contextlib.suppress(ProcessLookupError, OSError):
                os.sched_setaffinity(tid, cpus)
        for tid in set(_threads()) - set(before):  # threads started inside the block
            with contextlib.suppress(ProcessLookupError, OSError):
                os.sched_setaffinity(tid, set().union(*before.values()))


def _wait_spinning(busy: list, deadline: float) -> None:
    """Return once each busy process has written its byte (it is in its loop), else raise."""
    for proc in busy:
        poller = select.poll()  # not select.select: a descriptor may be >= 1024
        poller.register(proc.stdout, select.POLLIN)
        ready = poller.poll(max(0.0, deadline - time.monotonic()) * 1000)
        if not ready or proc.stdout.read(1) != b"r":
            status = proc.poll()
            if ready and status is None:  # end of its output: it is exiting, its status is moments away
                try:  # (read as "still starting" before: poll() ran before the exit was reapable)
                    status = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    status = None
            state = (f"exit status {status}" if status is not None
                     else "output closed, still running" if ready else "still starting")
            raise RuntimeError(f"a busy process (pid {proc.pid}) was not spinning within {SPINNING_WITHIN_S:.0f} s "
                               f"({state})")


def timeout_scale() -> float:
    """``KB_TIMEOUT_SCALE`` from the environment (default 1): CI sets it for a slow machine."""
    return float(os.environ.get("KB_TIMEOUT_SCALE", "1"))


def scaled_timeout(measured_s: float, factor: float = 10.0, floor: float = 1.0) -> float:
    """A timeout from a time measured on this machine now: ``max(floor, factor * measured_s)``
    times ``KB_TIMEOUT_SCALE``."""
    return max(floor, factor * measured_s) * timeout_scale()
